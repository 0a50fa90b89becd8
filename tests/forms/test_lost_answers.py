"""No answer lost without a word: XForms with relative references, actions nested in controls, answers
given before the answer that shows their question, and a note for every answer the record does not keep.

The hand-written XForms below are each accepted by ODK Validate (JavaRosa); their references resolve as
JavaRosa's XFormParser resolves them: a bind's nodeset against the primary instance's root, a control's
ref against its enclosing group's or repeat's node, ``bind="id"`` through the bind's nodeset. The data
expected of RELATIVE, CURRENT_IN_REPEAT and NESTED_SETVALUE is what JavaRosa gives for the same answers
(tests/forms/javarosa/JrFill.java); for BIND_IDS JavaRosa refuses to store "红" (constraint) where we keep
it and report the error.
"""

from __future__ import annotations

import textwrap

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.forms.fill import fill
from app.forms.model import read_xform
from app.forms.xlsform import load_form

HEAD = ('<h:html xmlns="http://www.w3.org/2002/xforms" xmlns:h="http://www.w3.org/1999/xhtml" '
        'xmlns:jr="http://openrosa.org/javarosa" xmlns:odk="http://www.opendatakit.org/xforms" '
        'xmlns:orx="http://openrosa.org/xforms">')


def xform(model: str, body: str, title: str = "t") -> str:
    return (f'<?xml version="1.0"?>{HEAD}<h:head><h:title>{title}</h:title><model>{model}</model></h:head>'
            f"<h:body>{body}</h:body></h:html>")


RELATIVE = xform(
    """
    <instance><data id="rel">
      <name/><age/>
      <household><size/><head/></household>
      <member jr:template=""><mname/><mage/><greet/></member>
      <orx:meta><orx:instanceID/></orx:meta>
    </data></instance>
    <bind nodeset="name" type="string" required="true()"/>
    <bind nodeset="age" type="int" constraint=". &gt;= 0"/>
    <bind nodeset="household/size" type="int"/>
    <bind nodeset="household/head" type="string" relevant="../size &gt; 0"/>
    <bind nodeset="member/mname" type="string"/>
    <bind nodeset="member/mage" type="int"/>
    <bind nodeset="member/greet" type="string" calculate="concat('你好，', current()/../mname)"/>
    <bind nodeset="orx:meta/orx:instanceID" type="string" readonly="true()" jr:preload="uid"/>
    """,
    """
    <input ref="name"><label>姓名</label></input>
    <input ref="./age"><label>年龄</label></input>
    <group ref="household"><label>户</label>
      <input ref="size"><label>人数</label></input>
      <input ref="head"><label>户主</label></input>
    </group>
    <group><label>成员</label>
      <repeat nodeset="member">
        <input ref="mname"><label>成员姓名</label></input>
        <input ref="mage"><label>成员年龄</label></input>
      </repeat>
    </group>
    """,
)


def test_relative_references_keep_every_answer():
    """Before: the binds and controls pointed nowhere and ``forms fill`` returned valid with "data": {}."""
    form = read_xform(RELATIVE)
    answers = {"name": "张三", "age": 30, "size": 2, "head": "李四",
               "member": [{"mname": "王五", "mage": 3}, {"mname": "赵六", "mage": 5}]}
    out = fill(form, answers)
    assert out["data"] == {"name": "张三", "age": 30, "size": 2, "head": "李四",
                           "member": [{"mname": "王五", "mage": 3, "greet": "你好，王五"},
                                      {"mname": "赵六", "mage": 5, "greet": "你好，赵六"}]}
    assert out["valid"] and out["notes"] == {}
    # The relative binds apply: required, constraint, a relevance relative to the node.
    out = fill(form, {"age": -1, "size": 0, "head": "李四"})
    assert set(out["errors"]) == {"name", "age"}
    assert "head" not in out["data"] and "head" in out["notes"]
    assert form.binds["/data/meta/instanceID"].preload == "uid"


BIND_IDS = xform(
    """
    <instance><data id="ids"><village/><grp><count/><kids jr:template=""><kid/></kids></grp></data></instance>
    <bind id="b_village" nodeset="/data/village" type="string"/>
    <bind id="b_count" nodeset="/data/grp/count" type="int"/>
    <bind id="b_kids" nodeset="/data/grp/kids"/>
    <bind id="b_kid" nodeset="/data/grp/kids/kid" type="string" constraint="string-length(.) &gt; 1"/>
    """,
    """
    <input bind="b_village"><label>村</label></input>
    <group ref="grp"><label>组</label>
      <input bind="b_count"><label>数</label></input>
      <repeat bind="b_kids"><input ref="kid"><label>孩子</label></input></repeat>
    </group>
    """,
)


def test_controls_bound_by_bind_id():
    out = fill(read_xform(BIND_IDS), {"village": "一村", "count": 2, "kids": [{"kid": "小明"}, {"kid": "红"}]})
    assert out["data"] == {"village": "一村", "count": 2, "kids": [{"kid": "小明"}, {"kid": "红"}]}
    assert set(out["errors"]) == {"kids[2]/kid"}


CURRENT_IN_REPEAT = xform(
    """
    <instance><data id="cur"><hh jr:template=""><region/><town/></hh></data></instance>
    <instance id="towns"><root>
      <item><name>t1</name><label>一镇</label><region>r1</region></item>
      <item><name>t2</name><label>二镇</label><region>r1</region></item>
      <item><name>t3</name><label>三镇</label><region>r2</region></item>
    </root></instance>
    <bind nodeset="hh/region" type="string"/>
    <bind nodeset="hh/town" type="string"/>
    """,
    """
    <repeat nodeset="hh">
      <select1 ref="region"><label>区</label>
        <item><label>一区</label><value>r1</value></item><item><label>二区</label><value>r2</value></item>
      </select1>
      <select1 ref="town"><label>镇</label>
        <itemset nodeset="instance('towns')/root/item[region = current()/../region]">
          <value ref="name"/><label ref="label"/>
        </itemset>
      </select1>
    </repeat>
    """,
)


def test_current_in_a_repeat_filters_by_its_own_instance():
    form = read_xform(CURRENT_IN_REPEAT)
    out = fill(form, {"hh": [{"region": "r1", "town": "t2"}, {"region": "r2", "town": "t3"}]})
    assert out["valid"], out["errors"]
    assert out["data"] == {"hh": [{"region": "r1", "town": "t2"}, {"region": "r2", "town": "t3"}]}
    out = fill(form, {"hh": [{"region": "r2", "town": "t1"}]})
    assert set(out["errors"]) == {"hh[1]/town"}


NESTED_SETVALUE = xform(
    """
    <instance><data id="sv"><visit_date/><source/><loaded/><rep jr:template=""><item/></rep></data></instance>
    <bind nodeset="/data/visit_date" type="date"/>
    <bind nodeset="/data/source" type="string"/>
    <bind nodeset="/data/loaded" type="string"/>
    <bind nodeset="/data/rep/item" type="string"/>
    """,
    """
    <input ref="/data/visit_date"><label>日期</label>
      <setvalue event="odk-instance-first-load" ref="/data/visit_date" value="'2026-01-02'"/>
    </input>
    <input ref="/data/source"><label>来源</label>
      <setvalue event="odk-instance-first-load xforms-value-changed" ref="/data/source">入户</setvalue>
    </input>
    <input ref="/data/loaded"><label>打开</label>
      <setvalue event="odk-instance-load" ref="/data/loaded" value="'yes'"/>
    </input>
    <repeat nodeset="/data/rep">
      <setvalue event="odk-new-repeat" ref="/data/rep/item" value="'新'"/>
      <input ref="/data/rep/item"><label>项</label></input>
    </repeat>
    """,
)


def test_setvalue_nested_in_a_control_fires_on_load():
    """Before: an odk-instance-first-load action inside a control never fired."""
    out = fill(read_xform(NESTED_SETVALUE), {"rep": [{}]})
    assert out["data"] == {"visit_date": "2026-01-02", "source": "入户", "loaded": "yes", "rep": [{"item": "新"}]}


FIELD_LIST = textwrap.dedent(
    """
    | survey |
    |        | type           | name   | label | relevant                    | appearance | calculation      |
    |        | begin group    | page   | 第一页 |                            | field-list |                  |
    |        | text           | detail | 详情  | ${has} = 'yes'              |            |                  |
    |        | select_one yn  | has    | 有吗  |                             |            |                  |
    |        | end group      |        |       |                             |            |                  |
    |        | begin group    | more   | 更多  | ${later} = 'yes'            |            |                  |
    |        | integer        | inner  | 内    |                             |            |                  |
    |        | begin repeat   | rows   | 行    |                             |            |                  |
    |        | text           | cell   | 格    |                             |            |                  |
    |        | end repeat     |        |       |                             |            |                  |
    |        | end group      |        |       |                             |            |                  |
    |        | select_one yn  | later  | 后面  |                             |            |                  |
    |        | integer        | age    | 年龄  |                             |            |                  |
    |        | text           | old    | 老人  | ${age} >= 60                |            |                  |
    | choices |
    |         | list_name | name | label |
    |         | yn        | yes  | 是    |
    |         | yn        | no   | 否    |
    """
)


def test_an_answer_before_the_question_that_shows_it_is_kept():
    """Before: ``detail`` (shown when the question after it is yes) was dropped with valid: true."""
    form = load_form(FIELD_LIST)
    out = fill(form, {"detail": "具体情况", "has": "yes", "inner": 4, "rows": [{"cell": "甲"}], "later": "yes"})
    assert out["data"] == {"detail": "具体情况", "has": "yes", "inner": 4, "rows": [{"cell": "甲"}],
                           "later": "yes", "age": None}
    assert out["valid"] and out["notes"] == {}


def test_every_answer_not_kept_is_named_with_the_reason():
    form = load_form(FIELD_LIST)
    out = fill(form, {"detail": "具体情况", "has": "no", "inner": 4, "rows": [{"cell": "甲"}, {"cell": ""}],
                      "later": "no", "age": 30, "old": "是"})
    assert out["valid"]
    assert out["data"] == {"has": "no", "later": "no", "age": 30}
    assert out["notes"] == {
        "detail": "答案“具体情况”没有保存：本题的显示条件（relevant）“${has} = 'yes'”不成立，按表单规则这道题不显示。",
        "inner": "答案“4”没有保存：它所在的“更多”的显示条件（relevant）“${later} = 'yes'”不成立，按表单规则这道题不显示。",
        "rows": "“rows”的 1 组答案没有保存：它所在的“更多”的显示条件（relevant）“${later} = 'yes'”不成立，"
                "按表单规则这组问题不显示。",
        "old": "答案“是”没有保存：本题的显示条件（relevant）“${age} >= 60”不成立，按表单规则这道题不显示。",
    }
    # An empty answer to a question that is not shown loses nothing: no note.
    assert fill(form, {"has": "no", "detail": ""})["notes"] == {}


COUNTED = textwrap.dedent(
    """
    | survey |
    |        | type          | name  | label | repeat_count                  | calculation | trigger  |
    |        | integer       | n     | 人数  |                               |             |          |
    |        | begin repeat  | kids  | 子女  | if(${stop} = 'yes', 1, ${n})  |             |          |
    |        | text          | kname | 姓名  |                               |             |          |
    |        | end repeat    |       |       |                               |             |          |
    |        | text          | reset | 重置  |                               | 'cleared'   | ${stop}  |
    |        | select_one yn | stop  | 停    |                               |             |          |
    |        | begin repeat  | late  | 后来  | ${more}                       |             |          |
    |        | text          | lname | 姓名  |                               |             |          |
    |        | end repeat    |       |       |                               |             |          |
    |        | integer       | more  | 再加  |                               |             |          |
    | choices |
    |         | list_name | name | label |
    |         | yn        | yes  | 是    |
    |         | yn        | no   | 否    |
    """
)


def test_repeat_answers_wait_for_the_count_and_removed_ones_are_named():
    form = load_form(COUNTED)
    out = fill(form, {"n": 2, "kids": [{"kname": "甲"}, {"kname": "乙"}]})
    assert out["valid"] and out["notes"] == {}
    assert out["data"]["kids"] == [{"kname": "甲"}, {"kname": "乙"}]
    # Answers for a counted repeat that comes before the answer setting its count wait for that answer.
    out = fill(form, {"late": [{"lname": "丙"}, {"lname": "丁"}], "more": 2})
    assert out["valid"] and out["notes"] == {}
    assert out["data"]["late"] == [{"lname": "丙"}, {"lname": "丁"}]
    # A later answer that lowers the count, or fires an action over an answer, is named.
    out = fill(form, {"n": 2, "kids": [{"kname": "甲"}, {"kname": "乙"}], "reset": "不要", "stop": "yes"})
    assert out["data"]["kids"] == [{"kname": "甲"}] and out["data"]["reset"] == "cleared"
    assert out["notes"] == {
        "kids[2]/kname": "答案“乙”没有保存：它所在的“kids”这一组被删除了（组数由其他答案决定）。",
        "reset": "答案“不要”没有保存：表单的计算或动作把这道题改成了“cleared”。",
    }
    out = fill(form, {"n": 2, "kids": [{"kname": "甲"}, {"kname": "乙"}, {"kname": "丙"}]})
    assert out["errors"] == {"kids": "“kids”按表单规定只有 2 组，多出的 1 组答案没有保存。"}


# --------------------------------------------------------------------------- property: nothing silent


def relevance_form(ranks: list[int], parents: list[int | None], expected: list[str]) -> str:
    """Questions q0..qn-1 in form order; q_i is shown when its parent question (of lower rank, anywhere in
    the form) has ``expected[i]``, so shown-ness flows along a random DAG that ignores the form's order."""
    rows = ["| survey |", "| | type | name | label | relevant | appearance |",
            "| | begin group | page | 页 | | field-list |"]
    for i, parent in enumerate(parents):
        relevant = f"${{q{parent}}} = '{expected[i]}'" if parent is not None else ""
        rows.append(f"| | text | q{i} | 问{i} | {relevant} | |")
    rows.append("| | end group | | | | |")
    return "\n".join(rows) + "\n"


@st.composite
def forms_and_answers(draw):
    n = draw(st.integers(2, 7))
    ranks = draw(st.permutations(range(n)))
    parents: list[int | None] = []
    for i in range(n):
        lower = [j for j in range(n) if ranks[j] < ranks[i]]
        parents.append(draw(st.sampled_from([None, *lower])) if lower else None)
    values = st.sampled_from(["a", "b", ""])
    expected = [draw(st.sampled_from(["a", "b"])) for _ in range(n)]
    answers = {f"q{i}": draw(values) for i in draw(st.lists(st.integers(0, n - 1), unique=True))}
    order = draw(st.permutations(list(answers)))
    return relevance_form(ranks, parents, expected), {k: answers[k] for k in order}, parents, expected


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(forms_and_answers())
def test_fill_never_drops_a_given_answer_silently(case):
    markdown, answers, parents, expected = case
    out = fill(load_form(markdown), answers)
    for key, value in answers.items():
        if value == "":
            continue
        assert out["data"].get(key) == value or key in out["errors"] or key in out["notes"], (key, out)
    # Answers that agree with every relevance are all kept, whatever the order of questions and keys.
    def shown(i: int) -> bool:
        parent = parents[i]
        return parent is None or (shown(parent) and answers.get(f"q{parent}") == expected[i])
    for key, value in answers.items():
        i = int(key[1:])
        if value and shown(i):
            assert out["data"].get(key) == value, (key, out)
            assert key not in out["notes"]
        elif value:
            assert key in out["notes"], (key, out)
