"""Dependency-driven re-evaluation must give exactly what a full re-evaluation gives."""

from __future__ import annotations

import textwrap

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.forms.session import FormSession
from app.forms.xlsform import load_form

FORM = textwrap.dedent(
    """
    | survey |
    |        | type             | name   | label | relevant            | constraint     | calculation                         | required | repeat_count |
    |        | integer          | a      | A     |                     | . < 100        |                                     | yes      |              |
    |        | integer          | b      | B     | ${a} > 10           |                |                                     |          |              |
    |        | calculate        | ab     |       |                     |                | coalesce(${a}, 0) + coalesce(${b}, 0) |        |              |
    |        | select_one yn    | more   | More  | ${ab} > 20          |                |                                     |          |              |
    |        | begin group      | g      | G     | selected(${more}, 'y') |             |                                     |          |              |
    |        | integer          | c      | C     |                     | . > ${a}       |                                     | yes      |              |
    |        | calculate        | c2     |       |                     |                | ${c} * 2                            |          |              |
    |        | end group        |        |       |                     |                |                                     |          |              |
    |        | begin repeat     | kids   | Kids  |                     |                |                                     |          |              |
    |        | integer          | k      | K     | ${a} != 7           |                |                                     |          |              |
    |        | calculate        | kk     |       |                     |                | ${k} + ${a}                         |          |              |
    |        | calculate        | kpos   |       |                     |                | position(..)                        |          |              |
    |        | end repeat       |        |       |                     |                |                                     |          |              |
    |        | calculate        | total  |       |                     |                | sum(${kk}) + count(${kids})         |          |              |
    |        | begin repeat     | fixed  | F     |                     |                |                                     |          | ${a} mod 4   |
    |        | calculate        | fpos   |       |                     |                | position(..) * ${total}             |          |              |
    |        | end repeat       |        |       |                     |                |                                     |          |              |
    |        | text             | t      | T     | ${total} > 30 or ${c2} > 10 |        |                                     |          |              |
    | choices |
    |         | list_name | name | label |
    |         | yn        | y    | Yes   |
    |         | yn        | n    | No    |
    """
)

FORM_DEF = load_form(FORM)
QUESTIONS = ["/data/a", "/data/b", "/data/more", "/data/g/c", "/data/t", "kids"]


def snapshot(session: FormSession) -> tuple:
    return (
        [(n.path(), n.value, n.relevant) for n in session.root.iter()],
        sorted(session.errors().items()),
        session.to_data(),
    )


operations = st.lists(
    st.tuples(
        st.sampled_from(QUESTIONS + ["add", "remove"]),
        st.one_of(st.integers(min_value=-5, max_value=60).map(str), st.sampled_from(["", "y", "n", "x"])),
        st.integers(min_value=0, max_value=3),
    ),
    min_size=1,
    max_size=25,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(operations)
def test_incremental_state_equals_full_recompute(ops):
    session = FormSession(FORM_DEF)
    for what, value, index in ops:
        if what == "add":
            session.add_repeat("/data/kids")
        elif what == "remove":
            kids = session.repeat_instances("/data/kids")
            if kids:
                session.remove_repeat(kids[index % len(kids)])
        elif what == "kids":
            nodes = session.nodes("/data/kids/k")
            if nodes:
                session.set_value(nodes[index % len(nodes)], value)
        else:
            session.set_value(session.node(what), value)
        before = snapshot(session)
        session.recompute_all()
        assert snapshot(session) == before


def test_answer_in_one_repeat_instance_leaves_the_others_alone():
    session = FormSession(FORM_DEF)
    session.set_value(session.node("/data/a"), "3")
    first = session.repeat_instances("/data/kids")[0]
    second = session.add_repeat("/data/kids")
    session.set_value(first.child("k"), "10")
    session.set_value(second.child("k"), "20")
    assert first.child("kk").value == "13"
    assert second.child("kk").value == "23"
    assert second.child("kpos").value == "2"
    assert session.to_data()["total"] == 13 + 23 + 2


def test_repeat_count_follows_its_expression():
    session = FormSession(FORM_DEF)
    session.set_value(session.node("/data/a"), "3")
    assert len(session.repeat_instances("/data/fixed")) == 3
    session.set_value(session.node("/data/a"), "5")
    assert len(session.repeat_instances("/data/fixed")) == 1
