<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="zh_CN">
<context>
    <name></name>
    <message>
        <location filename="../../ui/printing.py" line="141"/>
        <source>无法写入文件</source>
        <translation>无法写入文件</translation>
    </message>
    <message>
        <location filename="../../ui/printing.py" line="160"/>
        <location filename="../../ui/printing.py" line="181"/>
        <source>第 {page} 页 / 共 {pages} 页</source>
        <translation>第 {page} 页 / 共 {pages} 页</translation>
    </message>
    <message>
        <location filename="../../ui/printing.py" line="176"/>
        <source>村访通 CunFang</source>
        <translation>村访通 CunFang</translation>
    </message>
    <message>
        <location filename="../../ui/printing.py" line="238"/>
        <source>本机没有这个表单，无法打印这条记录</source>
        <translation>本机没有这个表单，无法打印这条记录</translation>
    </message>
    <message>
        <location filename="../../ui/printing.py" line="241"/>
        <source>{status}（第 {revision} 版）</source>
        <translation>{status}（第 {revision} 版）</translation>
    </message>
    <message>
        <location filename="../../ui/printing.py" line="291"/>
        <source>保存为 PDF</source>
        <translation>保存为 PDF</translation>
    </message>
    <message>
        <location filename="../../ui/printing.py" line="291"/>
        <source>PDF 文件 (*.pdf)</source>
        <translation>PDF 文件 (*.pdf)</translation>
    </message>
    <message>
        <location filename="../../ui/printing.py" line="300"/>
        <source>已导出 PDF</source>
        <translation>已导出 PDF</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/printing.py" line="300"/>
        <source>已保存 %n 页 A4 PDF：
{path}

可用 PDF 阅读器打开后打印。</source>
        <translation>
            <numerusform>已保存 %n 页 A4 PDF：
{path}

可用 PDF 阅读器打开后打印。</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/printing.py" line="318"/>
        <location filename="../../ui/printing.py" line="334"/>
        <source>没有导出 PDF</source>
        <translation>没有导出 PDF</translation>
    </message>
    <message>
        <location filename="../../ui/printing.py" line="328"/>
        <source>{title}（空白表）</source>
        <translation>{title}（空白表）</translation>
    </message>
    <message>
        <location filename="../../ui/printing.py" line="354"/>
        <source>乡镇</source>
        <translation>乡镇</translation>
    </message>
    <message>
        <location filename="../../ui/printing.py" line="354"/>
        <source>管理员用户名</source>
        <translation>管理员用户名</translation>
    </message>
    <message>
        <location filename="../../ui/printing.py" line="354"/>
        <source>生成日期</source>
        <translation>生成日期</translation>
    </message>
    <message>
        <location filename="../../ui/printing.py" line="357"/>
        <source>管理员忘记密码时，用这个密钥打开本机的数据（登录窗口 → 管理员忘记密码）。</source>
        <translation>管理员忘记密码时，用这个密钥打开本机的数据（登录窗口 → 管理员忘记密码）。</translation>
    </message>
    <message>
        <location filename="../../ui/printing.py" line="358"/>
        <source>字母不分大小写；O 与 0、I 与 1、B 与 8 看不清时按字母输入即可。</source>
        <translation>字母不分大小写；O 与 0、I 与 1、B 与 8 看不清时按字母输入即可。</translation>
    </message>
    <message>
        <location filename="../../ui/printing.py" line="359"/>
        <source>请锁在办公室的柜子里；不要拍照，不要存在电脑或手机里。</source>
        <translation>请锁在办公室的柜子里；不要拍照，不要存在电脑或手机里。</translation>
    </message>
    <message>
        <location filename="../../ui/printing.py" line="369"/>
        <source>村访通 恢复密钥单</source>
        <translation>村访通 恢复密钥单</translation>
    </message>
    <message>
        <location filename="../../ui/help.py" line="20"/>
        <source>工作台、台账、填表、记录、同步、导出、设置</source>
        <translation>工作台、台账、填表、记录、同步、导出、设置</translation>
    </message>
    <message>
        <location filename="../../ui/help.py" line="21"/>
        <source>在台账中查找人员（姓名、拼音首字母、身份证号或电话后几位）</source>
        <translation>在台账中查找人员（姓名、拼音首字母、身份证号或电话后几位）</translation>
    </message>
    <message>
        <location filename="../../ui/help.py" line="22"/>
        <source>回车 / ↓</source>
        <translation>回车 / ↓</translation>
    </message>
    <message>
        <location filename="../../ui/help.py" line="22"/>
        <source>台账：从查找框到结果；再按回车为此人填表</source>
        <translation>台账：从查找框到结果；再按回车为此人填表</translation>
    </message>
    <message>
        <location filename="../../ui/help.py" line="23"/>
        <source>下一题 / 上一题</source>
        <translation>下一题 / 上一题</translation>
    </message>
    <message>
        <location filename="../../ui/help.py" line="24"/>
        <source>回车</source>
        <translation>回车</translation>
    </message>
    <message>
        <location filename="../../ui/help.py" line="24"/>
        <source>填表时到下一题（多行文字题里是换行）</source>
        <translation>填表时到下一题（多行文字题里是换行）</translation>
    </message>
    <message>
        <location filename="../../ui/help.py" line="25"/>
        <source>单选题里选上一项 / 下一项</source>
        <translation>单选题里选上一项 / 下一项</translation>
    </message>
    <message>
        <location filename="../../ui/help.py" line="26"/>
        <source>空格</source>
        <translation>空格</translation>
    </message>
    <message>
        <location filename="../../ui/help.py" line="26"/>
        <source>勾选或取消多选题的一项</source>
        <translation>勾选或取消多选题的一项</translation>
    </message>
    <message>
        <location filename="../../ui/help.py" line="27"/>
        <source>日期题：打开日历</source>
        <translation>日期题：打开日历</translation>
    </message>
    <message>
        <location filename="../../ui/help.py" line="28"/>
        <source>↓（日期为空时）</source>
        <translation>↓（日期为空时）</translation>
    </message>
    <message>
        <location filename="../../ui/help.py" line="28"/>
        <source>日期题：填入表单建议的日期（没有建议时为今天）；有日期时 ↑/↓ 加减一天</source>
        <translation>日期题：填入表单建议的日期（没有建议时为今天）；有日期时 ↑/↓ 加减一天</translation>
    </message>
    <message>
        <location filename="../../ui/help.py" line="29"/>
        <source>日期题：光标在末尾时清空日期</source>
        <translation>日期题：光标在末尾时清空日期</translation>
    </message>
    <message>
        <location filename="../../ui/help.py" line="30"/>
        <source>保存草稿（填写时也会自动保存）</source>
        <translation>保存草稿（填写时也会自动保存）</translation>
    </message>
    <message>
        <location filename="../../ui/help.py" line="31"/>
        <source>定稿（还有没填的会列出来，双击可跳过去）</source>
        <translation>定稿（还有没填的会列出来，双击可跳过去）</translation>
    </message>
    <message>
        <location filename="../../ui/help.py" line="32"/>
        <source>删除光标所在的那一项重复内容（会先问）</source>
        <translation>删除光标所在的那一项重复内容（会先问）</translation>
    </message>
    <message>
        <location filename="../../ui/help.py" line="33"/>
        <source>打印/导出 PDF</source>
        <translation>打印/导出 PDF</translation>
    </message>
    <message>
        <location filename="../../ui/help.py" line="34"/>
        <source>同步页：立即同步</source>
        <translation>同步页：立即同步</translation>
    </message>
    <message>
        <location filename="../../ui/help.py" line="35"/>
        <source>锁定（离开电脑时）</source>
        <translation>锁定（离开电脑时）</translation>
    </message>
    <message>
        <location filename="../../ui/help.py" line="36"/>
        <source>本说明</source>
        <translation>本说明</translation>
    </message>
    <message>
        <location filename="../../ui/help.py" line="43"/>
        <source>第一次用</source>
        <translation>第一次用</translation>
    </message>
    <message>
        <location filename="../../ui/help.py" line="43"/>
        <source>第一次打开时建立管理员账户（记住密码，抄下恢复密钥）。不熟悉时先点“先练习一下”或菜单“练习模式”：里面是虚构的示范乡镇，怎么填都不会发送到县局。熟悉后在菜单“练习模式 → 退出练习模式”回到正式数据。</source>
        <translation>第一次打开时建立管理员账户（记住密码，抄下恢复密钥）。不熟悉时先点“先练习一下”或菜单“练习模式”：里面是虚构的示范乡镇，怎么填都不会发送到县局。熟悉后在菜单“练习模式 → 退出练习模式”回到正式数据。</translation>
    </message>
    <message>
        <location filename="../../ui/help.py" line="46"/>
        <source>工作台列出逾期未探访的人（风险高的、逾期久的在前，“类别”说明是老人还是儿童）和需要处理的安全红线。选中一人按回车或双击，就为他/她开始探访。</source>
        <translation>工作台列出逾期未探访的人（风险高的、逾期久的在前，“类别”说明是老人还是儿童）和需要处理的安全红线。选中一人按回车或双击，就为他/她开始探访。</translation>
    </message>
    <message>
        <location filename="../../ui/help.py" line="48"/>
        <source>光标会在第一道要填的题；回车到下一题，单选题用 ↑ ↓ 选。日期可以直接打 2027-1-5、2027/1/5 或 20270105；按 F4 打开日历。填写时自动保存为草稿，关掉也不会丢。</source>
        <translation>光标会在第一道要填的题；回车到下一题，单选题用 ↑ ↓ 选。日期可以直接打 2027-1-5、2027/1/5 或 20270105；按 F4 打开日历。填写时自动保存为草稿，关掉也不会丢。</translation>
    </message>
    <message>
        <location filename="../../ui/help.py" line="50"/>
        <source>填完按 Ctrl+Enter 定稿。还有没填的题会列出来。定稿后联网时自动发送到县局，状态栏显示还有几条待同步。“记录”里能看到每一条和它的状态。</source>
        <translation>填完按 Ctrl+Enter 定稿。还有没填的题会列出来。定稿后联网时自动发送到县局，状态栏显示还有几条待同步。“记录”里能看到每一条和它的状态。</translation>
    </message>
    <message>
        <location filename="../../ui/help.py" line="52"/>
        <source>导出台账</source>
        <translation>导出台账</translation>
    </message>
    <message>
        <location filename="../../ui/help.py" line="52"/>
        <source>“导出”页把记录或台账存成 Excel/WPS 表格，文件默认放在“文档”里，名字带表名、村和日期。</source>
        <translation>“导出”页把记录或台账存成 Excel/WPS 表格，文件默认放在“文档”里，名字带表名、村和日期。</translation>
    </message>
    <message>
        <location filename="../../ui/help.py" line="46"/>
        <source>看今天要做什么</source>
        <translation>看今天要做什么</translation>
    </message>
    <message>
        <location filename="../../ui/help.py" line="48"/>
        <source>填表</source>
        <translation>填表</translation>
    </message>
    <message>
        <location filename="../../ui/help.py" line="50"/>
        <source>定稿</source>
        <translation>定稿</translation>
    </message>
    <message>
        <location filename="../../ui/help.py" line="54"/>
        <source>没有网络时</source>
        <translation>没有网络时</translation>
    </message>
    <message>
        <location filename="../../ui/help.py" line="54"/>
        <source>记录都在本机加密保存。到“同步”页可以导出 U 盘数据包，带到乡镇或县里导入。</source>
        <translation>记录都在本机加密保存。到“同步”页可以导出 U 盘数据包，带到乡镇或县里导入。</translation>
    </message>
    <message>
        <location filename="../../ui/help.py" line="55"/>
        <source>出了问题</source>
        <translation>出了问题</translation>
    </message>
    <message>
        <location filename="../../ui/help.py" line="55"/>
        <source>提示会说明原因和怎么办；需要时点“详细信息”，把内容告诉县里的信息员。</source>
        <translation>提示会说明原因和怎么办；需要时点“详细信息”，把内容告诉县里的信息员。</translation>
    </message>
    <message>
        <location filename="../../ui/help.py" line="76"/>
        <source>村访通 · 使用说明</source>
        <translation>村访通 · 使用说明</translation>
    </message>
    <message>
        <location filename="../../ui/help.py" line="79"/>
        <source>使用说明</source>
        <translation>使用说明</translation>
    </message>
    <message>
        <location filename="../../ui/help.py" line="79"/>
        <source>快捷键</source>
        <translation>快捷键</translation>
    </message>
</context>
<context>
    <name>AboutDialog</name>
    <message>
        <location filename="../../ui/about.py" line="20"/>
        <source>关于村访通</source>
        <translation>关于村访通</translation>
    </message>
    <message>
        <location filename="../../ui/about.py" line="24"/>
        <source>村访通</source>
        <translation>村访通</translation>
    </message>
    <message>
        <location filename="../../ui/about.py" line="28"/>
        <source>乡镇民政探访与入户调查（离线优先）</source>
        <translation>乡镇民政探访与入户调查（离线优先）</translation>
    </message>
    <message>
        <location filename="../../ui/about.py" line="29"/>
        <source>版本 {version}</source>
        <translation>版本 {version}</translation>
    </message>
    <message>
        <location filename="../../ui/about.py" line="33"/>
        <source>Qt {qt}，Python {python}，{system}</source>
        <translation>Qt {qt}，Python {python}，{system}</translation>
    </message>
    <message>
        <location filename="../../ui/about.py" line="37"/>
        <source>数据目录：{path}</source>
        <translation>数据目录：{path}</translation>
    </message>
    <message>
        <location filename="../../ui/about.py" line="43"/>
        <source>打开数据目录</source>
        <translation>打开数据目录</translation>
    </message>
    <message>
        <location filename="../../ui/about.py" line="47"/>
        <source>许可：专有软件，仅供授权的民政部门使用。本程序使用 Qt for Python（PySide6，LGPL v3）、Python 和其他开源组件，它们各自遵循自己的许可证。</source>
        <translation>许可：专有软件，仅供授权的民政部门使用。本程序使用 Qt for Python（PySide6，LGPL v3）、Python 和其他开源组件，它们各自遵循自己的许可证。</translation>
    </message>
</context>
<context>
    <name>AccountDialog</name>
    <message>
        <location filename="../../ui/accounts_ui.py" line="359"/>
        <source>添加账户</source>
        <translation>添加账户</translation>
    </message>
    <message>
        <location filename="../../ui/accounts_ui.py" line="359"/>
        <source>修改账户</source>
        <translation>修改账户</translation>
    </message>
    <message>
        <location filename="../../ui/accounts_ui.py" line="366"/>
        <source>字母或数字，例如 zhangsan</source>
        <translation>字母或数字，例如 zhangsan</translation>
    </message>
    <message>
        <location filename="../../ui/accounts_ui.py" line="386"/>
        <source>用户名：</source>
        <translation>用户名：</translation>
    </message>
    <message>
        <location filename="../../ui/accounts_ui.py" line="387"/>
        <source>姓名：</source>
        <translation>姓名：</translation>
    </message>
    <message>
        <location filename="../../ui/accounts_ui.py" line="388"/>
        <source>角色：</source>
        <translation>角色：</translation>
    </message>
    <message>
        <location filename="../../ui/accounts_ui.py" line="389"/>
        <source>负责的村：</source>
        <translation>负责的村：</translation>
    </message>
    <message>
        <location filename="../../ui/accounts_ui.py" line="391"/>
        <source>初始密码：</source>
        <translation>初始密码：</translation>
    </message>
    <message>
        <location filename="../../ui/accounts_ui.py" line="397"/>
        <source>保存</source>
        <translation>保存</translation>
    </message>
    <message>
        <location filename="../../ui/accounts_ui.py" line="397"/>
        <source>取消</source>
        <translation>取消</translation>
    </message>
</context>
<context>
    <name>AccountsPanel</name>
    <message>
        <location filename="../../ui/accounts_ui.py" line="426"/>
        <source>账户（只有管理员能看到这里）</source>
        <translation>账户（只有管理员能看到这里）</translation>
    </message>
    <message>
        <location filename="../../ui/accounts_ui.py" line="432"/>
        <source>用户名</source>
        <translation>用户名</translation>
    </message>
    <message>
        <location filename="../../ui/accounts_ui.py" line="432"/>
        <source>姓名</source>
        <translation>姓名</translation>
    </message>
    <message>
        <location filename="../../ui/accounts_ui.py" line="432"/>
        <source>角色</source>
        <translation>角色</translation>
    </message>
    <message>
        <location filename="../../ui/accounts_ui.py" line="432"/>
        <source>负责的村</source>
        <translation>负责的村</translation>
    </message>
    <message>
        <location filename="../../ui/accounts_ui.py" line="439"/>
        <source>添加账户…</source>
        <translation>添加账户…</translation>
    </message>
    <message>
        <location filename="../../ui/accounts_ui.py" line="439"/>
        <source>修改…</source>
        <translation>修改…</translation>
    </message>
    <message>
        <location filename="../../ui/accounts_ui.py" line="440"/>
        <source>重设密码…</source>
        <translation>重设密码…</translation>
    </message>
    <message>
        <location filename="../../ui/accounts_ui.py" line="441"/>
        <source>停用</source>
        <translation>停用</translation>
    </message>
    <message>
        <location filename="../../ui/accounts_ui.py" line="442"/>
        <source>新的恢复密钥…</source>
        <translation>新的恢复密钥…</translation>
    </message>
    <message>
        <location filename="../../ui/accounts_ui.py" line="457"/>
        <source>全部</source>
        <translation>全部</translation>
    </message>
    <message>
        <location filename="../../ui/accounts_ui.py" line="459"/>
        <source>（已停用）</source>
        <translation>（已停用）</translation>
    </message>
    <message>
        <location filename="../../ui/accounts_ui.py" line="500"/>
        <source>新的恢复密钥</source>
        <translation>新的恢复密钥</translation>
    </message>
    <message>
        <location filename="../../ui/accounts_ui.py" line="501"/>
        <source>生成新的恢复密钥后，原来抄下或打印的恢复密钥立即作废。继续吗？</source>
        <translation>生成新的恢复密钥后，原来抄下或打印的恢复密钥立即作废。继续吗？</translation>
    </message>
</context>
<context>
    <name>AcknowledgeQuestion</name>
    <message>
        <location filename="../../ui/questions.py" line="598"/>
        <source>确认</source>
        <translation>确认</translation>
    </message>
</context>
<context>
    <name>AdoptDialog</name>
    <message>
        <location filename="../../ui/accounts_ui.py" line="544"/>
        <source>启用账户</source>
        <translation>启用账户</translation>
    </message>
    <message>
        <location filename="../../ui/accounts_ui.py" line="548"/>
        <source>启用账户后，每个人用自己的用户名和密码登录，只看到自己负责的村和人员；原来的数据库密码不再能打开数据。先建立管理员账户：</source>
        <translation>启用账户后，每个人用自己的用户名和密码登录，只看到自己负责的村和人员；原来的数据库密码不再能打开数据。先建立管理员账户：</translation>
    </message>
    <message>
        <location filename="../../ui/accounts_ui.py" line="559"/>
        <source>管理员用户名：</source>
        <translation>管理员用户名：</translation>
    </message>
    <message>
        <location filename="../../ui/accounts_ui.py" line="560"/>
        <source>姓名：</source>
        <translation>姓名：</translation>
    </message>
    <message>
        <location filename="../../ui/accounts_ui.py" line="561"/>
        <source>密码（至少 8 位）：</source>
        <translation>密码（至少 8 位）：</translation>
    </message>
    <message>
        <location filename="../../ui/accounts_ui.py" line="562"/>
        <source>再输入一次：</source>
        <translation>再输入一次：</translation>
    </message>
    <message>
        <location filename="../../ui/accounts_ui.py" line="566"/>
        <source>启用</source>
        <translation>启用</translation>
    </message>
    <message>
        <location filename="../../ui/accounts_ui.py" line="566"/>
        <source>取消</source>
        <translation>取消</translation>
    </message>
</context>
<context>
    <name>ChangePasswordDialog</name>
    <message>
        <location filename="../../ui/accounts_ui.py" line="267"/>
        <source>修改我的密码</source>
        <translation>修改我的密码</translation>
    </message>
    <message>
        <location filename="../../ui/accounts_ui.py" line="271"/>
        <source>{name}（{login}，{role}）</source>
        <translation>{name}（{login}，{role}）</translation>
    </message>
    <message>
        <location filename="../../ui/accounts_ui.py" line="274"/>
        <source>&lt;br&gt;管理员为您重设了密码：请先换一个只有您自己知道的新密码。</source>
        <translation>&lt;br&gt;管理员为您重设了密码：请先换一个只有您自己知道的新密码。</translation>
    </message>
    <message>
        <location filename="../../ui/accounts_ui.py" line="280"/>
        <source>现在的密码：</source>
        <translation>现在的密码：</translation>
    </message>
    <message>
        <location filename="../../ui/accounts_ui.py" line="281"/>
        <source>新密码（至少 8 位）：</source>
        <translation>新密码（至少 8 位）：</translation>
    </message>
    <message>
        <location filename="../../ui/accounts_ui.py" line="282"/>
        <source>再输入一次：</source>
        <translation>再输入一次：</translation>
    </message>
    <message>
        <location filename="../../ui/accounts_ui.py" line="286"/>
        <source>修改</source>
        <translation>修改</translation>
    </message>
    <message>
        <location filename="../../ui/accounts_ui.py" line="286"/>
        <source>取消</source>
        <translation>取消</translation>
    </message>
</context>
<context>
    <name>DashboardPage</name>
    <message>
        <location filename="../../ui/dashboard_page.py" line="42"/>
        <source>&lt;h2&gt;工作台&lt;/h2&gt;</source>
        <translation>&lt;h2&gt;工作台&lt;/h2&gt;</translation>
    </message>
    <message>
        <location filename="../../ui/dashboard_page.py" line="53"/>
        <source>&lt;b&gt;逾期未探访&lt;/b&gt;（风险最高的在前，同等风险逾期最久的在前；回车或双击开始探访）</source>
        <translation>&lt;b&gt;逾期未探访&lt;/b&gt;（风险最高的在前，同等风险逾期最久的在前；回车或双击开始探访）</translation>
    </message>
    <message>
        <location filename="../../ui/dashboard_page.py" line="56"/>
        <source>姓名</source>
        <translation>姓名</translation>
    </message>
    <message>
        <location filename="../../ui/dashboard_page.py" line="56"/>
        <location filename="../../ui/dashboard_page.py" line="74"/>
        <source>村</source>
        <translation>村</translation>
    </message>
    <message>
        <location filename="../../ui/dashboard_page.py" line="56"/>
        <source>风险等级</source>
        <translation>风险等级</translation>
    </message>
    <message>
        <location filename="../../ui/dashboard_page.py" line="56"/>
        <source>类别</source>
        <translation>类别</translation>
    </message>
    <message>
        <location filename="../../ui/dashboard_page.py" line="57"/>
        <source>应探访日期</source>
        <translation>应探访日期</translation>
    </message>
    <message>
        <location filename="../../ui/dashboard_page.py" line="57"/>
        <source>逾期天数</source>
        <translation>逾期天数</translation>
    </message>
    <message>
        <location filename="../../ui/dashboard_page.py" line="67"/>
        <source>&lt;b&gt;需要处理&lt;/b&gt;（安全红线、发现报告、待验收改造、未完成的草稿；双击打开）</source>
        <translation>&lt;b&gt;需要处理&lt;/b&gt;（安全红线、发现报告、待验收改造、未完成的草稿；双击打开）</translation>
    </message>
    <message>
        <location filename="../../ui/dashboard_page.py" line="72"/>
        <source>&lt;b&gt;各村本月探访&lt;/b&gt;</source>
        <translation>&lt;b&gt;各村本月探访&lt;/b&gt;</translation>
    </message>
    <message>
        <location filename="../../ui/dashboard_page.py" line="74"/>
        <source>需探访人数</source>
        <translation>需探访人数</translation>
    </message>
    <message>
        <location filename="../../ui/dashboard_page.py" line="74"/>
        <source>本月已探访</source>
        <translation>本月已探访</translation>
    </message>
    <message>
        <location filename="../../ui/dashboard_page.py" line="75"/>
        <source>逾期</source>
        <translation>逾期</translation>
    </message>
    <message>
        <location filename="../../ui/dashboard_page.py" line="99"/>
        <source>逾期未探访</source>
        <translation>逾期未探访</translation>
    </message>
    <message>
        <location filename="../../ui/dashboard_page.py" line="100"/>
        <source>本周到期</source>
        <translation>本周到期</translation>
    </message>
    <message>
        <location filename="../../ui/dashboard_page.py" line="101"/>
        <source>安全红线</source>
        <translation>安全红线</translation>
    </message>
    <message>
        <location filename="../../ui/dashboard_page.py" line="102"/>
        <source>草稿待完成</source>
        <translation>草稿待完成</translation>
    </message>
    <message>
        <location filename="../../ui/dashboard_page.py" line="103"/>
        <source>待同步记录</source>
        <translation>待同步记录</translation>
    </message>
    <message>
        <location filename="../../ui/dashboard_page.py" line="108"/>
        <source>老人</source>
        <translation>老人</translation>
    </message>
    <message>
        <location filename="../../ui/dashboard_page.py" line="108"/>
        <source>儿童</source>
        <translation>儿童</translation>
    </message>
    <message>
        <location filename="../../ui/dashboard_page.py" line="119"/>
        <source>⚠ {who}：{flags}（{when}）</source>
        <translation>⚠ {who}：{flags}（{when}）</translation>
    </message>
    <message>
        <location filename="../../ui/dashboard_page.py" line="126"/>
        <source>发现报告未结：{who}（{when} 发现，已 {days} 天）</source>
        <translation>发现报告未结：{who}（{when} 发现，已 {days} 天）</translation>
    </message>
    <message>
        <location filename="../../ui/dashboard_page.py" line="132"/>
        <source>适老化改造待验收：{who}（{n} 项）</source>
        <translation>适老化改造待验收：{who}（{n} 项）</translation>
    </message>
    <message>
        <location filename="../../ui/dashboard_page.py" line="137"/>
        <source>草稿：{title}（{updated}）</source>
        <translation>草稿：{title}（{updated}）</translation>
    </message>
    <message>
        <location filename="../../ui/dashboard_page.py" line="143"/>
        <source>{visited}（{percent}%）</source>
        <translation>{visited}（{percent}%）</translation>
    </message>
</context>
<context>
    <name>DateQuestion</name>
    <message>
        <location filename="../../ui/questions.py" line="206"/>
        <source>星期一</source>
        <translation>星期一</translation>
    </message>
    <message>
        <location filename="../../ui/questions.py" line="206"/>
        <source>星期二</source>
        <translation>星期二</translation>
    </message>
    <message>
        <location filename="../../ui/questions.py" line="207"/>
        <source>星期三</source>
        <translation>星期三</translation>
    </message>
    <message>
        <location filename="../../ui/questions.py" line="207"/>
        <source>星期四</source>
        <translation>星期四</translation>
    </message>
    <message>
        <location filename="../../ui/questions.py" line="208"/>
        <source>星期五</source>
        <translation>星期五</translation>
    </message>
    <message>
        <location filename="../../ui/questions.py" line="208"/>
        <source>星期六</source>
        <translation>星期六</translation>
    </message>
    <message>
        <location filename="../../ui/questions.py" line="209"/>
        <source>星期日</source>
        <translation>星期日</translation>
    </message>
    <message>
        <location filename="../../ui/questions.py" line="282"/>
        <source>年-月-日，如 {example}（按 ↓ 填入）</source>
        <translation>年-月-日，如 {example}（按 ↓ 填入）</translation>
    </message>
    <message>
        <location filename="../../ui/questions.py" line="290"/>
        <source>选日期（F4）</source>
        <translation>选日期（F4）</translation>
    </message>
</context>
<context>
    <name>EditReasonDialog</name>
    <message>
        <location filename="../../ui/pages.py" line="746"/>
        <source>修改已发送的记录</source>
        <translation>修改已发送的记录</translation>
    </message>
    <message>
        <location filename="../../ui/pages.py" line="748"/>
        <source>这条记录已经发送到县局。修改会生成新的版本，并记录修改人、时间和原因。</source>
        <translation>这条记录已经发送到县局。修改会生成新的版本，并记录修改人、时间和原因。</translation>
    </message>
    <message>
        <location filename="../../ui/pages.py" line="751"/>
        <source>修改原因：</source>
        <translation>修改原因：</translation>
    </message>
</context>
<context>
    <name>ErrorDialog</name>
    <message>
        <location filename="../../ui/errors.py" line="39"/>
        <source>操作没有完成</source>
        <translation>操作没有完成</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="59"/>
        <location filename="../../ui/errors.py" line="67"/>
        <source>详细信息</source>
        <translation>详细信息</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="25"/>
        <source>程序遇到了一个意外问题，刚才的操作没有完成。已填写的内容都已保存。
详细情况已记入日志，请告知县里的信息员。</source>
        <translation>程序遇到了一个意外问题，刚才的操作没有完成。已填写的内容都已保存。
详细情况已记入日志，请告知县里的信息员。</translation>
    </message>
</context>
<context>
    <name>ExportPage</name>
    <message>
        <location filename="../../ui/export_page.py" line="50"/>
        <source>&lt;h2&gt;导出&lt;/h2&gt;把记录或台账导出为 Excel/WPS 可以直接打开的表格：身份证号、电话和门牌号以文本保存，日期是真正的日期，每个表单还附一张“说明”。</source>
        <translation>&lt;h2&gt;导出&lt;/h2&gt;把记录或台账导出为 Excel/WPS 可以直接打开的表格：身份证号、电话和门牌号以文本保存，日期是真正的日期，每个表单还附一张“说明”。</translation>
    </message>
    <message>
        <location filename="../../ui/export_page.py" line="56"/>
        <source>导出内容(&amp;W)：</source>
        <translation>导出内容(&amp;W)：</translation>
    </message>
    <message>
        <location filename="../../ui/export_page.py" line="63"/>
        <source>村(&amp;V)：</source>
        <translation>村(&amp;V)：</translation>
    </message>
    <message>
        <location filename="../../ui/export_page.py" line="65"/>
        <location filename="../../ui/export_page.py" line="66"/>
        <source>不限</source>
        <translation>不限</translation>
    </message>
    <message>
        <location filename="../../ui/export_page.py" line="68"/>
        <source>到</source>
        <translation>到</translation>
    </message>
    <message>
        <location filename="../../ui/export_page.py" line="70"/>
        <source>（按记录在本机开始填写的那一天，两端都包含）</source>
        <translation>（按记录在本机开始填写的那一天，两端都包含）</translation>
    </message>
    <message>
        <location filename="../../ui/export_page.py" line="71"/>
        <source>填写日期(&amp;D)：</source>
        <translation>填写日期(&amp;D)：</translation>
    </message>
    <message>
        <location filename="../../ui/export_page.py" line="74"/>
        <source>全部状态</source>
        <translation>全部状态</translation>
    </message>
    <message>
        <location filename="../../ui/export_page.py" line="77"/>
        <source>状态(&amp;S)：</source>
        <translation>状态(&amp;S)：</translation>
    </message>
    <message>
        <location filename="../../ui/export_page.py" line="79"/>
        <source>Excel/WPS 工作簿 (.xlsx)</source>
        <translation>Excel/WPS 工作簿 (.xlsx)</translation>
    </message>
    <message>
        <location filename="../../ui/export_page.py" line="81"/>
        <source>CSV 文本 (UTF-8)</source>
        <translation>CSV 文本 (UTF-8)</translation>
    </message>
    <message>
        <location filename="../../ui/export_page.py" line="90"/>
        <source>格式：</source>
        <translation>格式：</translation>
    </message>
    <message>
        <location filename="../../ui/export_page.py" line="91"/>
        <source>选择题写选项代码(&amp;C)（默认写选项文字）</source>
        <translation>选择题写选项代码(&amp;C)（默认写选项文字）</translation>
    </message>
    <message>
        <location filename="../../ui/export_page.py" line="94"/>
        <source>写完整的身份证号和电话(&amp;I)（默认只显示前几位和后四位）</source>
        <translation>写完整的身份证号和电话(&amp;I)（默认只显示前几位和后四位）</translation>
    </message>
    <message>
        <location filename="../../ui/export_page.py" line="99"/>
        <source>导出…(&amp;E)</source>
        <translation>导出…(&amp;E)</translation>
    </message>
    <message>
        <location filename="../../ui/export_page.py" line="106"/>
        <source>%v / %m</source>
        <translation>%v / %m</translation>
    </message>
    <message>
        <location filename="../../ui/export_page.py" line="123"/>
        <source>打开所在文件夹(&amp;O)</source>
        <translation>打开所在文件夹(&amp;O)</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/export_page.py" line="151"/>
        <source>{title}（%n 条记录）</source>
        <translation>
            <numerusform>{title}（%n 条记录）</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/export_page.py" line="160"/>
        <source>台账：{title}</source>
        <translation>台账：{title}</translation>
    </message>
    <message>
        <location filename="../../ui/export_page.py" line="166"/>
        <location filename="../../ui/export_page.py" line="209"/>
        <source>全部村</source>
        <translation>全部村</translation>
    </message>
    <message>
        <location filename="../../ui/export_page.py" line="174"/>
        <source>完整号码是个人信息：文件请妥善保管，用完删除。</source>
        <translation>完整号码是个人信息：文件请妥善保管，用完删除。</translation>
    </message>
    <message>
        <location filename="../../ui/export_page.py" line="175"/>
        <source>您的角色只能导出遮蔽后的身份证号和电话。</source>
        <translation>您的角色只能导出遮蔽后的身份证号和电话。</translation>
    </message>
    <message>
        <location filename="../../ui/export_page.py" line="190"/>
        <source>每条记录一行；重复填写的部分（如家属）在单独的工作表里，用“记录编号”对应。</source>
        <translation>每条记录一行；重复填写的部分（如家属）在单独的工作表里，用“记录编号”对应。</translation>
    </message>
    <message>
        <location filename="../../ui/export_page.py" line="191"/>
        <source>本机还没有记录。</source>
        <translation>本机还没有记录。</translation>
    </message>
    <message>
        <location filename="../../ui/export_page.py" line="208"/>
        <source>CSV 文件 (*.csv)</source>
        <translation>CSV 文件 (*.csv)</translation>
    </message>
    <message>
        <location filename="../../ui/export_page.py" line="210"/>
        <source>导出到</source>
        <translation>导出到</translation>
    </message>
    <message>
        <location filename="../../ui/export_page.py" line="237"/>
        <source>正在导出到 {path} …</source>
        <translation>正在导出到 {path} …</translation>
    </message>
    <message>
        <location filename="../../ui/export_page.py" line="247"/>
        <source>正在取消…</source>
        <translation>正在取消…</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/export_page.py" line="269"/>
        <source>已导出 %n 行到：</source>
        <translation>
            <numerusform>已导出 %n 行到：</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/export_page.py" line="270"/>
        <source>已导出 %n 条记录到：</source>
        <translation>
            <numerusform>已导出 %n 条记录到：</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/export_page.py" line="272"/>
        <source>身份证号和电话是完整的：文件请妥善保管，用完删除。</source>
        <translation>身份证号和电话是完整的：文件请妥善保管，用完删除。</translation>
    </message>
    <message>
        <location filename="../../ui/export_page.py" line="274"/>
        <source>身份证号和电话已遮蔽。</source>
        <translation>身份证号和电话已遮蔽。</translation>
    </message>
    <message>
        <location filename="../../ui/export_page.py" line="276"/>
        <source>用 Excel 打开 CSV 时请用“数据 → 从文本/CSV”导入，并把身份证号、电话列设为“文本”。</source>
        <translation>用 Excel 打开 CSV 时请用“数据 → 从文本/CSV”导入，并把身份证号、电话列设为“文本”。</translation>
    </message>
    <message>
        <location filename="../../ui/export_page.py" line="284"/>
        <source>导出已取消，没有留下不完整的文件。</source>
        <translation>导出已取消，没有留下不完整的文件。</translation>
    </message>
    <message>
        <location filename="../../ui/export_page.py" line="208"/>
        <source>Excel 工作簿 (*.xlsx)</source>
        <translation>Excel 工作簿 (*.xlsx)</translation>
    </message>
    <message>
        <location filename="../../ui/export_page.py" line="109"/>
        <source>取消</source>
        <translation>取消</translation>
    </message>
</context>
<context>
    <name>FileQuestion</name>
    <message>
        <location filename="../../ui/questions.py" line="677"/>
        <source>图片 (*.jpg *.jpeg *.png *.bmp)</source>
        <translation>图片 (*.jpg *.jpeg *.png *.bmp)</translation>
    </message>
    <message>
        <location filename="../../ui/questions.py" line="678"/>
        <source>录音 (*.mp3 *.m4a *.wav *.amr)</source>
        <translation>录音 (*.mp3 *.m4a *.wav *.amr)</translation>
    </message>
    <message>
        <location filename="../../ui/questions.py" line="679"/>
        <source>视频 (*.mp4 *.mov)</source>
        <translation>视频 (*.mp4 *.mov)</translation>
    </message>
    <message>
        <location filename="../../ui/questions.py" line="680"/>
        <source>所有文件 (*)</source>
        <translation>所有文件 (*)</translation>
    </message>
    <message>
        <location filename="../../ui/questions.py" line="686"/>
        <location filename="../../ui/questions.py" line="731"/>
        <source>（未选择）</source>
        <translation>（未选择）</translation>
    </message>
    <message>
        <location filename="../../ui/questions.py" line="688"/>
        <source>请用鼠标、触摸板或手写笔在下面的方框里签名：</source>
        <translation>请用鼠标、触摸板或手写笔在下面的方框里签名：</translation>
    </message>
    <message>
        <location filename="../../ui/questions.py" line="694"/>
        <source>清除重签</source>
        <translation>清除重签</translation>
    </message>
    <message>
        <location filename="../../ui/questions.py" line="701"/>
        <source>选择文件…</source>
        <translation>选择文件…</translation>
    </message>
    <message>
        <location filename="../../ui/questions.py" line="721"/>
        <source>选择文件</source>
        <translation>选择文件</translation>
    </message>
</context>
<context>
    <name>FillPage</name>
    <message>
        <location filename="../../ui/pages.py" line="358"/>
        <source>&lt;h2&gt;填表&lt;/h2&gt;选择要填写的表单（也可以在“台账”中选中一个人后“为此人填表”）：</source>
        <translation>&lt;h2&gt;填表&lt;/h2&gt;选择要填写的表单（也可以在“台账”中选中一个人后“为此人填表”）：</translation>
    </message>
    <message>
        <location filename="../../ui/pages.py" line="363"/>
        <source>打开其他表单文件（XLSForm .xlsx / XForm .xml）…</source>
        <translation>打开其他表单文件（XLSForm .xlsx / XForm .xml）…</translation>
    </message>
    <message>
        <location filename="../../ui/pages.py" line="365"/>
        <source>打印空白表…</source>
        <translation>打印空白表…</translation>
    </message>
    <message>
        <location filename="../../ui/pages.py" line="372"/>
        <source>选择表单</source>
        <translation>选择表单</translation>
    </message>
    <message>
        <location filename="../../ui/pages.py" line="395"/>
        <source>{title}（版本 {version}）</source>
        <translation>{title}（版本 {version}）</translation>
    </message>
    <message>
        <location filename="../../ui/pages.py" line="400"/>
        <source>{file}：表单有错误，不能使用（{error}）</source>
        <translation>{file}：表单有错误，不能使用（{error}）</translation>
    </message>
    <message>
        <location filename="../../ui/pages.py" line="408"/>
        <source>打开表单</source>
        <translation>打开表单</translation>
    </message>
    <message>
        <location filename="../../ui/pages.py" line="409"/>
        <source>表单 (*.xlsx *.xls *.xml)</source>
        <translation>表单 (*.xlsx *.xls *.xml)</translation>
    </message>
    <message>
        <location filename="../../ui/pages.py" line="431"/>
        <source>表单不能使用</source>
        <translation>表单不能使用</translation>
    </message>
    <message>
        <location filename="../../ui/pages.py" line="470"/>
        <source>已定稿：{title}。这是练习数据，不会发送到县局。</source>
        <translation>已定稿：{title}。这是练习数据，不会发送到县局。</translation>
    </message>
    <message>
        <location filename="../../ui/pages.py" line="472"/>
        <source>已定稿：{title}。联网后自动发送到县局。</source>
        <translation>已定稿：{title}。联网后自动发送到县局。</translation>
    </message>
    <message>
        <location filename="../../ui/pages.py" line="474"/>
        <source>已定稿：{title}。在“同步”里登记县局服务器后会自动发送。</source>
        <translation>已定稿：{title}。在“同步”里登记县局服务器后会自动发送。</translation>
    </message>
    <message>
        <location filename="../../ui/pages.py" line="487"/>
        <source>已保存为草稿：{title}。可在“工作台”或“记录”里接着填写。</source>
        <translation>已保存为草稿：{title}。可在“工作台”或“记录”里接着填写。</translation>
    </message>
</context>
<context>
    <name>FirstRunDialog</name>
    <message>
        <location filename="../../ui/startup.py" line="37"/>
        <source>村访通 · 首次设置</source>
        <translation>村访通 · 首次设置</translation>
    </message>
    <message>
        <location filename="../../ui/startup.py" line="52"/>
        <source>您的姓名，记在每条记录上</source>
        <translation>您的姓名，记在每条记录上</translation>
    </message>
    <message>
        <location filename="../../ui/startup.py" line="43"/>
        <source>欢迎使用村访通。先建立&lt;b&gt;管理员账户&lt;/b&gt;：本机上的所有记录都加密保存，用账户密码打开。以后可在“设置 → 账户”里为村干部、儿童主任添加各自的账户。</source>
        <translation>欢迎使用村访通。先建立&lt;b&gt;管理员账户&lt;/b&gt;：本机上的所有记录都加密保存，用账户密码打开。以后可在“设置 → 账户”里为村干部、儿童主任添加各自的账户。</translation>
    </message>
    <message>
        <location filename="../../ui/startup.py" line="54"/>
        <source>至少 8 位</source>
        <translation>至少 8 位</translation>
    </message>
    <message>
        <location filename="../../ui/startup.py" line="60"/>
        <source>依次选择省、市、县（区）、乡镇（街道）：可输入名称、拼音或拼音首字母查找，按回车选定</source>
        <translation>依次选择省、市、县（区）、乡镇（街道）：可输入名称、拼音或拼音首字母查找，按回车选定</translation>
    </message>
    <message>
        <location filename="../../ui/startup.py" line="64"/>
        <source>再输入一次：</source>
        <translation>再输入一次：</translation>
    </message>
    <message>
        <location filename="../../ui/startup.py" line="72"/>
        <source>先练习一下（练习模式）(&amp;P)</source>
        <translation>先练习一下（练习模式）(&amp;P)</translation>
    </message>
    <message>
        <location filename="../../ui/startup.py" line="61"/>
        <source>管理员用户名：</source>
        <translation>管理员用户名：</translation>
    </message>
    <message>
        <location filename="../../ui/startup.py" line="62"/>
        <source>您的姓名：</source>
        <translation>您的姓名：</translation>
    </message>
    <message>
        <location filename="../../ui/startup.py" line="63"/>
        <source>密码：</source>
        <translation>密码：</translation>
    </message>
    <message>
        <location filename="../../ui/startup.py" line="65"/>
        <source>本乡镇：</source>
        <translation>本乡镇：</translation>
    </message>
    <message>
        <location filename="../../ui/startup.py" line="70"/>
        <source>开始使用</source>
        <translation>开始使用</translation>
    </message>
    <message>
        <location filename="../../ui/startup.py" line="71"/>
        <source>退出</source>
        <translation>退出</translation>
    </message>
    <message>
        <location filename="../../ui/startup.py" line="74"/>
        <source>打开一个虚构的示范乡镇来熟悉程序；练习数据单独存放，不会发送到县局</source>
        <translation>打开一个虚构的示范乡镇来熟悉程序；练习数据单独存放，不会发送到县局</translation>
    </message>
    <message>
        <location filename="../../ui/startup.py" line="84"/>
        <source>请依次选择本乡镇所在的省、市、县（区）和乡镇（记录和导出的台账上都会用到）。</source>
        <translation>请依次选择本乡镇所在的省、市、县（区）和乡镇（记录和导出的台账上都会用到）。</translation>
    </message>
    <message>
        <location filename="../../ui/startup.py" line="118"/>
        <source>正在准备练习用的示范乡镇…</source>
        <translation>正在准备练习用的示范乡镇…</translation>
    </message>
</context>
<context>
    <name>FormFiller</name>
    <message>
        <location filename="../../ui/form_filler.py" line="83"/>
        <source>保存草稿 (Ctrl+S)</source>
        <translation>保存草稿 (Ctrl+S)</translation>
    </message>
    <message>
        <location filename="../../ui/form_filler.py" line="85"/>
        <source>定稿 (Ctrl+Enter)</source>
        <translation>定稿 (Ctrl+Enter)</translation>
    </message>
    <message>
        <location filename="../../ui/form_filler.py" line="88"/>
        <source>打印/导出PDF… (Ctrl+P)</source>
        <translation>打印/导出PDF… (Ctrl+P)</translation>
    </message>
    <message>
        <location filename="../../ui/form_filler.py" line="238"/>
        <source>添加{title}</source>
        <translation>添加{title}</translation>
    </message>
    <message>
        <location filename="../../ui/form_filler.py" line="247"/>
        <source>{title} 第 {number} 项</source>
        <translation>{title} 第 {number} 项</translation>
    </message>
    <message>
        <location filename="../../ui/form_filler.py" line="251"/>
        <source>删除第 {number} 项</source>
        <translation>删除第 {number} 项</translation>
    </message>
    <message>
        <location filename="../../ui/form_filler.py" line="253"/>
        <source>删除这一项（光标在这一项里时也可按 Ctrl+Delete）；删除前会先问您</source>
        <translation>删除这一项（光标在这一项里时也可按 Ctrl+Delete）；删除前会先问您</translation>
    </message>
    <message>
        <location filename="../../ui/form_filler.py" line="305"/>
        <source>⚠ 安全红线：{flags}。请立即处置并报告村委会/乡镇；定稿后会列在工作台上。</source>
        <translation>⚠ 安全红线：{flags}。请立即处置并报告村委会/乡镇；定稿后会列在工作台上。</translation>
    </message>
    <message>
        <location filename="../../ui/form_filler.py" line="404"/>
        <source>删除这一项？</source>
        <translation>删除这一项？</translation>
    </message>
    <message>
        <location filename="../../ui/form_filler.py" line="405"/>
        <source>删除“{title}”（{answers}）吗？这一项填写的内容会一起删除。</source>
        <translation>删除“{title}”（{answers}）吗？这一项填写的内容会一起删除。</translation>
    </message>
    <message>
        <location filename="../../ui/form_filler.py" line="408"/>
        <source>删除</source>
        <translation>删除</translation>
    </message>
    <message>
        <location filename="../../ui/form_filler.py" line="409"/>
        <source>不删除</source>
        <translation>不删除</translation>
    </message>
    <message>
        <location filename="../../ui/form_filler.py" line="457"/>
        <source>草稿没有保存：{reason}</source>
        <translation>草稿没有保存：{reason}</translation>
    </message>
    <message>
        <location filename="../../ui/form_filler.py" line="459"/>
        <source>草稿没有保存</source>
        <translation>草稿没有保存</translation>
    </message>
    <message>
        <location filename="../../ui/form_filler.py" line="463"/>
        <source>已自动保存 {time}</source>
        <translation>已自动保存 {time}</translation>
    </message>
    <message>
        <location filename="../../ui/form_filler.py" line="487"/>
        <source>电脑时钟可能不对</source>
        <translation>电脑时钟可能不对</translation>
    </message>
    <message>
        <location filename="../../ui/form_filler.py" line="488"/>
        <source>仍然按电脑现在的日期和时间定稿吗？</source>
        <translation>仍然按电脑现在的日期和时间定稿吗？</translation>
    </message>
    <message>
        <location filename="../../ui/form_filler.py" line="505"/>
        <source>不能定稿</source>
        <translation>不能定稿</translation>
    </message>
    <message>
        <location filename="../../ui/form_filler.py" line="507"/>
        <source>已定稿</source>
        <translation>已定稿</translation>
    </message>
</context>
<context>
    <name>FormPicker</name>
    <message>
        <location filename="../../ui/pages.py" line="512"/>
        <source>为 {name} 填表</source>
        <translation>为 {name} 填表</translation>
    </message>
    <message>
        <location filename="../../ui/pages.py" line="514"/>
        <source>选择要为 {name} 填写的表（回车开始）：</source>
        <translation>选择要为 {name} 填写的表（回车开始）：</translation>
    </message>
    <message>
        <location filename="../../ui/pages.py" line="527"/>
        <source>显示其他表单（{count} 种）</source>
        <translation>显示其他表单（{count} 种）</translation>
    </message>
    <message>
        <location filename="../../ui/pages.py" line="532"/>
        <source>开始填写</source>
        <translation>开始填写</translation>
    </message>
</context>
<context>
    <name>HouseholdsModel</name>
    <message>
        <location filename="../../ui/models.py" line="173"/>
        <source>村</source>
        <translation>村</translation>
    </message>
    <message>
        <location filename="../../ui/models.py" line="174"/>
        <source>组</source>
        <translation>组</translation>
    </message>
    <message>
        <location filename="../../ui/models.py" line="175"/>
        <source>门牌号</source>
        <translation>门牌号</translation>
    </message>
    <message>
        <location filename="../../ui/models.py" line="176"/>
        <source>地址</source>
        <translation>地址</translation>
    </message>
    <message>
        <location filename="../../ui/models.py" line="177"/>
        <source>在册人数</source>
        <translation>在册人数</translation>
    </message>
</context>
<context>
    <name>ImportDialog</name>
    <message>
        <location filename="../../ui/import_dialog.py" line="101"/>
        <source>导入名册</source>
        <translation>导入名册</translation>
    </message>
    <message>
        <location filename="../../ui/import_dialog.py" line="111"/>
        <source>上一步(&amp;P)</source>
        <translation>上一步(&amp;P)</translation>
    </message>
    <message>
        <location filename="../../ui/import_dialog.py" line="114"/>
        <location filename="../../ui/import_dialog.py" line="219"/>
        <source>下一步(&amp;N)</source>
        <translation>下一步(&amp;N)</translation>
    </message>
    <message>
        <location filename="../../ui/import_dialog.py" line="117"/>
        <location filename="../../ui/import_dialog.py" line="224"/>
        <source>关闭</source>
        <translation>关闭</translation>
    </message>
    <message>
        <location filename="../../ui/import_dialog.py" line="132"/>
        <source>&lt;h3&gt;第一步：选择名册文件&lt;/h3&gt;可以导入 Excel/WPS 表格（.xlsx、.xls）或 .csv 文件（UTF-8 或 GBK 编码都可以）。表格上方的标题行会自动跳过。</source>
        <translation>&lt;h3&gt;第一步：选择名册文件&lt;/h3&gt;可以导入 Excel/WPS 表格（.xlsx、.xls）或 .csv 文件（UTF-8 或 GBK 编码都可以）。表格上方的标题行会自动跳过。</translation>
    </message>
    <message>
        <location filename="../../ui/import_dialog.py" line="137"/>
        <source>名册文件的位置</source>
        <translation>名册文件的位置</translation>
    </message>
    <message>
        <location filename="../../ui/import_dialog.py" line="139"/>
        <source>浏览(&amp;B)…</source>
        <translation>浏览(&amp;B)…</translation>
    </message>
    <message>
        <location filename="../../ui/import_dialog.py" line="144"/>
        <source>文件(&amp;F)：</source>
        <translation>文件(&amp;F)：</translation>
    </message>
    <message>
        <location filename="../../ui/import_dialog.py" line="147"/>
        <source>按表中的类别或年龄判断是老人还是儿童</source>
        <translation>按表中的类别或年龄判断是老人还是儿童</translation>
    </message>
    <message>
        <location filename="../../ui/import_dialog.py" line="148"/>
        <source>特殊困难老年人（老人台账）</source>
        <translation>特殊困难老年人（老人台账）</translation>
    </message>
    <message>
        <location filename="../../ui/import_dialog.py" line="149"/>
        <source>农村留守儿童（花名册）</source>
        <translation>农村留守儿童（花名册）</translation>
    </message>
    <message>
        <location filename="../../ui/import_dialog.py" line="150"/>
        <source>困境儿童</source>
        <translation>困境儿童</translation>
    </message>
    <message>
        <location filename="../../ui/import_dialog.py" line="151"/>
        <source>老人（不加类别）</source>
        <translation>老人（不加类别）</translation>
    </message>
    <message>
        <location filename="../../ui/import_dialog.py" line="152"/>
        <source>儿童（不加类别）</source>
        <translation>儿童（不加类别）</translation>
    </message>
    <message>
        <location filename="../../ui/import_dialog.py" line="153"/>
        <source>导入对象(&amp;T)：</source>
        <translation>导入对象(&amp;T)：</translation>
    </message>
    <message>
        <location filename="../../ui/import_dialog.py" line="156"/>
        <source>自动（标题中写的村，或本机唯一的村）</source>
        <translation>自动（标题中写的村，或本机唯一的村）</translation>
    </message>
    <message>
        <location filename="../../ui/import_dialog.py" line="159"/>
        <source>表中没有“村”一列时导入到(&amp;V)：</source>
        <translation>表中没有“村”一列时导入到(&amp;V)：</translation>
    </message>
    <message>
        <location filename="../../ui/import_dialog.py" line="176"/>
        <source>&lt;h3&gt;第二步：核对每一列对应的内容&lt;/h3&gt;“姓名”和“身份证号”必须对应；不需要的列选“不导入”。下次导入列名相同的表格时，会记住这里的选择。</source>
        <translation>&lt;h3&gt;第二步：核对每一列对应的内容&lt;/h3&gt;“姓名”和“身份证号”必须对应；不需要的列选“不导入”。下次导入列名相同的表格时，会记住这里的选择。</translation>
    </message>
    <message>
        <location filename="../../ui/import_dialog.py" line="185"/>
        <source>&lt;h3&gt;第三步：预览&lt;/h3&gt;现在还没有写入任何数据。被拒绝的行（红色）不会导入，请按原因在表格中改正后重新导入；点“导入”后其余的行一次写入，可以整体撤销。</source>
        <translation>&lt;h3&gt;第三步：预览&lt;/h3&gt;现在还没有写入任何数据。被拒绝的行（红色）不会导入，请按原因在表格中改正后重新导入；点“导入”后其余的行一次写入，可以整体撤销。</translation>
    </message>
    <message>
        <location filename="../../ui/import_dialog.py" line="188"/>
        <source>只看被拒绝的行(&amp;R)</source>
        <translation>只看被拒绝的行(&amp;R)</translation>
    </message>
    <message>
        <location filename="../../ui/import_dialog.py" line="192"/>
        <source>保存每行结果为表格(&amp;S)…</source>
        <translation>保存每行结果为表格(&amp;S)…</translation>
    </message>
    <message>
        <location filename="../../ui/import_dialog.py" line="206"/>
        <source>&lt;h3&gt;导入完成&lt;/h3&gt;</source>
        <translation>&lt;h3&gt;导入完成&lt;/h3&gt;</translation>
    </message>
    <message>
        <location filename="../../ui/import_dialog.py" line="207"/>
        <source>撤销本次导入(&amp;U)</source>
        <translation>撤销本次导入(&amp;U)</translation>
    </message>
    <message>
        <location filename="../../ui/import_dialog.py" line="219"/>
        <source>导入(&amp;I)</source>
        <translation>导入(&amp;I)</translation>
    </message>
    <message>
        <location filename="../../ui/import_dialog.py" line="224"/>
        <source>完成</source>
        <translation>完成</translation>
    </message>
    <message>
        <location filename="../../ui/import_dialog.py" line="233"/>
        <source>选择名册文件</source>
        <translation>选择名册文件</translation>
    </message>
    <message>
        <location filename="../../ui/import_dialog.py" line="234"/>
        <source>名册 (*.xlsx *.xls *.csv);;所有文件 (*)</source>
        <translation>名册 (*.xlsx *.xls *.csv);;所有文件 (*)</translation>
    </message>
    <message>
        <location filename="../../ui/import_dialog.py" line="278"/>
        <source>请选择文件</source>
        <translation>请选择文件</translation>
    </message>
    <message>
        <location filename="../../ui/import_dialog.py" line="278"/>
        <source>请先选择要导入的名册文件。</source>
        <translation>请先选择要导入的名册文件。</translation>
    </message>
    <message>
        <location filename="../../ui/import_dialog.py" line="287"/>
        <source>工作表“{sheet}”，</source>
        <translation>工作表“{sheet}”，</translation>
    </message>
    <message>
        <location filename="../../ui/import_dialog.py" line="288"/>
        <source>{where}第 {row} 行是表头，共 {count} 行数据。</source>
        <translation>{where}第 {row} 行是表头，共 {count} 行数据。</translation>
    </message>
    <message>
        <location filename="../../ui/import_dialog.py" line="291"/>
        <source>已按上次的选择对应各列。</source>
        <translation>已按上次的选择对应各列。</translation>
    </message>
    <message>
        <location filename="../../ui/import_dialog.py" line="300"/>
        <source>不导入</source>
        <translation>不导入</translation>
    </message>
    <message>
        <location filename="../../ui/import_dialog.py" line="306"/>
        <source>{header}（如：{example}）</source>
        <translation>{header}（如：{example}）</translation>
    </message>
    <message>
        <location filename="../../ui/import_dialog.py" line="306"/>
        <source>（无列名）</source>
        <translation>（无列名）</translation>
    </message>
    <message>
        <location filename="../../ui/import_dialog.py" line="343"/>
        <source>共 {total} 行：将新增 {add} 人，更新 {update} 人；无变化 {same} 人，拒绝 {refused} 行，跳过 {skipped} 行。</source>
        <translation>共 {total} 行：将新增 {add} 人，更新 {update} 人；无变化 {same} 人，拒绝 {refused} 行，跳过 {skipped} 行。</translation>
    </message>
    <message>
        <location filename="../../ui/import_dialog.py" line="355"/>
        <source>保存每行结果</source>
        <translation>保存每行结果</translation>
    </message>
    <message>
        <location filename="../../ui/import_dialog.py" line="356"/>
        <source>导入结果</source>
        <translation>导入结果</translation>
    </message>
    <message>
        <location filename="../../ui/import_dialog.py" line="357"/>
        <source>Excel 工作簿 (*.xlsx)</source>
        <translation>Excel 工作簿 (*.xlsx)</translation>
    </message>
    <message>
        <location filename="../../ui/import_dialog.py" line="370"/>
        <source>正在导入…</source>
        <translation>正在导入…</translation>
    </message>
    <message>
        <location filename="../../ui/import_dialog.py" line="370"/>
        <source>取消</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../../ui/import_dialog.py" line="380"/>
        <source>第 {id} 次导入：新增 {add} 人，更新 {update} 人（拒绝 {refused} 行，没有导入）。如果导入错了，可以整体撤销。</source>
        <translation>第 {id} 次导入：新增 {add} 人，更新 {update} 人（拒绝 {refused} 行，没有导入）。如果导入错了，可以整体撤销。</translation>
    </message>
    <message>
        <location filename="../../ui/import_dialog.py" line="406"/>
        <source>撤销本次导入</source>
        <translation>撤销本次导入</translation>
    </message>
    <message>
        <location filename="../../ui/import_dialog.py" line="407"/>
        <source>删除本次导入新增的人员，并把更新过的人员恢复为导入前的信息？</source>
        <translation>删除本次导入新增的人员，并把更新过的人员恢复为导入前的信息？</translation>
    </message>
    <message>
        <location filename="../../ui/import_dialog.py" line="414"/>
        <source>已撤销第 {id} 次导入：删除了 {removed} 人，恢复了 {restored} 人导入前的信息。</source>
        <translation>已撤销第 {id} 次导入：删除了 {removed} 人，恢复了 {restored} 人导入前的信息。</translation>
    </message>
    <message>
        <location filename="../../ui/import_dialog.py" line="417"/>
        <source>有 {kept} 项在导入后又被修改过，保留了修改后的内容。</source>
        <translation>有 {kept} 项在导入后又被修改过，保留了修改后的内容。</translation>
    </message>
</context>
<context>
    <name>LockDialog</name>
    <message>
        <location filename="../../ui/accounts_ui.py" line="315"/>
        <source>村访通 · 已锁定</source>
        <translation>村访通 · 已锁定</translation>
    </message>
    <message>
        <location filename="../../ui/accounts_ui.py" line="319"/>
        <source>&lt;h3&gt;已锁定&lt;/h3&gt;{name}（{role}）的工作都还在，输入密码继续。</source>
        <translation>&lt;h3&gt;已锁定&lt;/h3&gt;{name}（{role}）的工作都还在，输入密码继续。</translation>
    </message>
    <message>
        <location filename="../../ui/accounts_ui.py" line="326"/>
        <source>换人登录</source>
        <translation>换人登录</translation>
    </message>
    <message>
        <location filename="../../ui/accounts_ui.py" line="330"/>
        <source>解锁</source>
        <translation>解锁</translation>
    </message>
</context>
<context>
    <name>LoginDialog</name>
    <message>
        <location filename="../../ui/accounts_ui.py" line="82"/>
        <source>村访通 · 登录</source>
        <translation>村访通 · 登录</translation>
    </message>
    <message>
        <location filename="../../ui/accounts_ui.py" line="87"/>
        <source>请登录。本机的记录只对有权查看的账户显示。</source>
        <translation>请登录。本机的记录只对有权查看的账户显示。</translation>
    </message>
    <message>
        <location filename="../../ui/accounts_ui.py" line="92"/>
        <source>用户名：</source>
        <translation>用户名：</translation>
    </message>
    <message>
        <location filename="../../ui/accounts_ui.py" line="93"/>
        <source>密码：</source>
        <translation>密码：</translation>
    </message>
    <message>
        <location filename="../../ui/accounts_ui.py" line="97"/>
        <source>管理员忘记密码…</source>
        <translation>管理员忘记密码…</translation>
    </message>
    <message>
        <location filename="../../ui/accounts_ui.py" line="102"/>
        <source>练习模式（虚构数据，不会发送）</source>
        <translation>练习模式（虚构数据，不会发送）</translation>
    </message>
    <message>
        <location filename="../../ui/accounts_ui.py" line="112"/>
        <source>登录</source>
        <translation>登录</translation>
    </message>
    <message>
        <location filename="../../ui/accounts_ui.py" line="112"/>
        <source>退出</source>
        <translation>退出</translation>
    </message>
    <message>
        <location filename="../../ui/accounts_ui.py" line="134"/>
        <source>正在登录并打开本机数据，请稍候……</source>
        <translation>正在登录并打开本机数据，请稍候……</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../ui/main_window.py" line="104"/>
        <location filename="../../ui/selftest_qt.py" line="19"/>
        <source>工作台</source>
        <translation>工作台</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="105"/>
        <source>台账</source>
        <translation>台账</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="106"/>
        <source>填表</source>
        <translation>填表</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="107"/>
        <source>记录</source>
        <translation>记录</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="108"/>
        <source>同步</source>
        <translation>同步</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="109"/>
        <source>导出</source>
        <translation>导出</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="110"/>
        <source>设置</source>
        <translation>设置</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="182"/>
        <source>村访通 — 练习模式（虚构数据，不会发送）</source>
        <translation>村访通 — 练习模式（虚构数据，不会发送）</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="184"/>
        <source>村访通</source>
        <translation>村访通</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="184"/>
        <source>村访通 — {town}</source>
        <translation>村访通 — {town}</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="186"/>
        <source>{name}（{role}）</source>
        <translation>{name}（{role}）</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="187"/>
        <source>村访通 — {town} — {who}</source>
        <translation>村访通 — {town} — {who}</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="188"/>
        <source>村访通 — {who}</source>
        <translation>村访通 — {who}</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="202"/>
        <source>{label}（{key}）</source>
        <translation>{label}（{key}）</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="229"/>
        <source>账户</source>
        <translation>账户</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="230"/>
        <source>锁定</source>
        <translation>锁定</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="234"/>
        <source>换人登录</source>
        <translation>换人登录</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="235"/>
        <source>修改我的密码…</source>
        <translation>修改我的密码…</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="236"/>
        <source>练习模式</source>
        <translation>练习模式</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="238"/>
        <source>退出练习模式，回到正式数据</source>
        <translation>退出练习模式，回到正式数据</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="239"/>
        <source>清空练习数据，重新开始</source>
        <translation>清空练习数据，重新开始</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="241"/>
        <source>进入练习模式（虚构数据，不会发送）</source>
        <translation>进入练习模式（虚构数据，不会发送）</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="242"/>
        <source>帮助</source>
        <translation>帮助</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="243"/>
        <source>使用说明和快捷键</source>
        <translation>使用说明和快捷键</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="246"/>
        <source>关于村访通</source>
        <translation>关于村访通</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="312"/>
        <source>练习模式：这里是虚构的示范乡镇，随便填、随便改，什么都不会发送到县局。</source>
        <translation>练习模式：这里是虚构的示范乡镇，随便填、随便改，什么都不会发送到县局。</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="314"/>
        <source>退出练习模式</source>
        <translation>退出练习模式</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="334"/>
        <source>清空练习数据</source>
        <translation>清空练习数据</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="335"/>
        <source>清空练习模式里填写的一切，重新生成示范乡镇？正式数据不受影响。</source>
        <translation>清空练习模式里填写的一切，重新生成示范乡镇？正式数据不受影响。</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="454"/>
        <source>无法打开</source>
        <translation>无法打开</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="455"/>
        <source>本机没有表单“{form_id}”，无法显示这条记录。</source>
        <translation>本机没有表单“{form_id}”，无法显示这条记录。</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="480"/>
        <source>修改：{title}</source>
        <translation>修改：{title}</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/main_window.py" line="489"/>
        <source>有 %n 份草稿未完成，可在工作台继续填写。</source>
        <translation>
            <numerusform>有 %n 份草稿未完成，可在工作台继续填写。</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="496"/>
        <source>● 练习模式：数据不会发送</source>
        <translation>● 练习模式：数据不会发送</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="509"/>
        <source>● 未登记县局服务器</source>
        <translation>● 未登记县局服务器</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="511"/>
        <source>● 同步中…</source>
        <translation>● 同步中…</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="513"/>
        <source>● 网络不通，稍后重试</source>
        <translation>● 网络不通，稍后重试</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="515"/>
        <source>● 服务器暂时出错，稍后重试</source>
        <translation>● 服务器暂时出错，稍后重试</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="517"/>
        <source>● 同步未完成，稍后重试</source>
        <translation>● 同步未完成，稍后重试</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="519"/>
        <source>● 已登记县局服务器</source>
        <translation>● 已登记县局服务器</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="523"/>
        <source>上次同步：从未</source>
        <translation>上次同步：从未</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="525"/>
        <source>成功</source>
        <translation>成功</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="525"/>
        <source>已取消</source>
        <translation>已取消</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="525"/>
        <source>未完成</source>
        <translation>未完成</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/main_window.py" line="528"/>
        <source>完成，被退回 %n 条</source>
        <translation>
            <numerusform>完成，被退回 %n 条</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="529"/>
        <source>上次同步：{when} {outcome}</source>
        <translation>上次同步：{when} {outcome}</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="534"/>
        <source>● 同步中… {done}/{total}</source>
        <translation>● 同步中… {done}/{total}</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/main_window.py" line="503"/>
        <location filename="../../ui/main_window.py" line="506"/>
        <source>待同步 %n 条</source>
        <translation>
            <numerusform>待同步 %n 条</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>MissingSummary</name>
    <message>
        <location filename="../../ui/form_filler.py" line="572"/>
        <source>还不能定稿</source>
        <translation>还不能定稿</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/form_filler.py" line="575"/>
        <source>还有 %n 处需要填写或更正（双击可跳到该题）：</source>
        <translation>
            <numerusform>还有 %n 处需要填写或更正（双击可跳到该题）：</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/form_filler.py" line="583"/>
        <source>{question}：{message}</source>
        <translation>{question}：{message}</translation>
    </message>
</context>
<context>
    <name>PersonPicker</name>
    <message>
        <location filename="../../ui/pages.py" line="563"/>
        <source>{form}：探访谁？</source>
        <translation>{form}：探访谁？</translation>
    </message>
    <message>
        <location filename="../../ui/pages.py" line="567"/>
        <source>输入姓名、拼音首字母（如 wxy）或身份证号后几位，回车选中：</source>
        <translation>输入姓名、拼音首字母（如 wxy）或身份证号后几位，回车选中：</translation>
    </message>
    <message>
        <location filename="../../ui/pages.py" line="576"/>
        <source>为此人填写</source>
        <translation>为此人填写</translation>
    </message>
    <message>
        <location filename="../../ui/pages.py" line="577"/>
        <source>不选人，直接填写</source>
        <translation>不选人，直接填写</translation>
    </message>
</context>
<context>
    <name>PersonsModel</name>
    <message>
        <location filename="../../ui/models.py" line="98"/>
        <source>姓名</source>
        <translation>姓名</translation>
    </message>
    <message>
        <location filename="../../ui/models.py" line="103"/>
        <source>性别</source>
        <translation>性别</translation>
    </message>
    <message>
        <location filename="../../ui/models.py" line="104"/>
        <source>出生日期</source>
        <translation>出生日期</translation>
    </message>
    <message>
        <location filename="../../ui/models.py" line="105"/>
        <source>身份证号</source>
        <translation>身份证号</translation>
    </message>
    <message>
        <location filename="../../ui/models.py" line="99"/>
        <source>村</source>
        <translation>村</translation>
    </message>
    <message>
        <location filename="../../ui/models.py" line="100"/>
        <source>类别</source>
        <translation>类别</translation>
    </message>
    <message>
        <location filename="../../ui/models.py" line="101"/>
        <source>风险等级</source>
        <translation>风险等级</translation>
    </message>
    <message>
        <location filename="../../ui/models.py" line="102"/>
        <source>下次探访</source>
        <translation>下次探访</translation>
    </message>
    <message>
        <location filename="../../ui/models.py" line="133"/>
        <source>男</source>
        <translation>男</translation>
    </message>
    <message>
        <location filename="../../ui/models.py" line="133"/>
        <source>女</source>
        <translation>女</translation>
    </message>
</context>
<context>
    <name>PreviewModel</name>
    <message>
        <location filename="../../ui/import_dialog.py" line="53"/>
        <source>行号</source>
        <translation>行号</translation>
    </message>
    <message>
        <location filename="../../ui/import_dialog.py" line="53"/>
        <source>结果</source>
        <translation>结果</translation>
    </message>
    <message>
        <location filename="../../ui/import_dialog.py" line="54"/>
        <source>姓名</source>
        <translation>姓名</translation>
    </message>
    <message>
        <location filename="../../ui/import_dialog.py" line="55"/>
        <source>身份证号</source>
        <translation>身份证号</translation>
    </message>
    <message>
        <location filename="../../ui/import_dialog.py" line="56"/>
        <source>原因或说明</source>
        <translation>原因或说明</translation>
    </message>
</context>
<context>
    <name>RangeQuestion</name>
    <message>
        <location filename="../../ui/questions.py" line="575"/>
        <location filename="../../ui/questions.py" line="582"/>
        <source>（未填）</source>
        <translation>（未填）</translation>
    </message>
</context>
<context>
    <name>RecordsModel</name>
    <message>
        <location filename="../../ui/models.py" line="145"/>
        <source>更新时间</source>
        <translation>更新时间</translation>
    </message>
    <message>
        <location filename="../../ui/models.py" line="146"/>
        <source>记录</source>
        <translation>记录</translation>
    </message>
    <message>
        <location filename="../../ui/models.py" line="147"/>
        <source>表单</source>
        <translation>表单</translation>
    </message>
    <message>
        <location filename="../../ui/models.py" line="148"/>
        <source>状态</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../ui/models.py" line="149"/>
        <source>修订</source>
        <translation>修订</translation>
    </message>
    <message>
        <location filename="../../ui/models.py" line="150"/>
        <source>填写人</source>
        <translation>填写人</translation>
    </message>
</context>
<context>
    <name>RecordsPage</name>
    <message>
        <location filename="../../ui/pages.py" line="637"/>
        <source>&lt;h2&gt;记录&lt;/h2&gt;</source>
        <translation>&lt;h2&gt;记录&lt;/h2&gt;</translation>
    </message>
    <message>
        <location filename="../../ui/pages.py" line="640"/>
        <source>全部表单</source>
        <translation>全部表单</translation>
    </message>
    <message>
        <location filename="../../ui/pages.py" line="642"/>
        <source>全部状态</source>
        <translation>全部状态</translation>
    </message>
    <message>
        <location filename="../../ui/pages.py" line="646"/>
        <source>全部村</source>
        <translation>全部村</translation>
    </message>
    <message>
        <location filename="../../ui/pages.py" line="649"/>
        <source>按姓名、拼音首字母或标题查找</source>
        <translation>按姓名、拼音首字母或标题查找</translation>
    </message>
    <message>
        <location filename="../../ui/pages.py" line="653"/>
        <location filename="../../ui/pages.py" line="654"/>
        <source>不限</source>
        <translation>不限</translation>
    </message>
    <message>
        <location filename="../../ui/pages.py" line="659"/>
        <source>从</source>
        <translation>从</translation>
    </message>
    <message>
        <location filename="../../ui/pages.py" line="661"/>
        <source>到</source>
        <translation>到</translation>
    </message>
    <message>
        <location filename="../../ui/pages.py" line="664"/>
        <source>打开 / 修改</source>
        <translation>打开 / 修改</translation>
    </message>
    <message>
        <location filename="../../ui/pages.py" line="667"/>
        <source>打印/导出PDF…</source>
        <translation>打印/导出PDF…</translation>
    </message>
    <message>
        <location filename="../../ui/pages.py" line="669"/>
        <source>把选中的记录按纸质表格式保存为 A4 PDF（Ctrl+P）</source>
        <translation>把选中的记录按纸质表格式保存为 A4 PDF（Ctrl+P）</translation>
    </message>
    <message>
        <location filename="../../ui/pages.py" line="683"/>
        <source>&lt;b&gt;修改历史&lt;/b&gt;</source>
        <translation>&lt;b&gt;修改历史&lt;/b&gt;</translation>
    </message>
    <message>
        <location filename="../../ui/pages.py" line="718"/>
        <source>{field}：{old} → {new}</source>
        <translation>{field}：{old} → {new}</translation>
    </message>
    <message>
        <location filename="../../ui/pages.py" line="719"/>
        <source>；</source>
        <translation>；</translation>
    </message>
    <message>
        <location filename="../../ui/pages.py" line="721"/>
        <source>第 {revision} 版 {time} {author}（原因：{reason}）{changes}</source>
        <translation>第 {revision} 版 {time} {author}（原因：{reason}）{changes}</translation>
    </message>
    <message>
        <location filename="../../ui/pages.py" line="723"/>
        <source>无</source>
        <translation>无</translation>
    </message>
    <message>
        <location filename="../../ui/pages.py" line="725"/>
        <source>（没有修改过）</source>
        <translation>（没有修改过）</translation>
    </message>
    <message>
        <location filename="../../ui/pages.py" line="737"/>
        <source>请先选择</source>
        <translation>请先选择</translation>
    </message>
    <message>
        <location filename="../../ui/pages.py" line="737"/>
        <source>请先在列表中选择一条记录。</source>
        <translation>请先在列表中选择一条记录。</translation>
    </message>
</context>
<context>
    <name>RecoveryDialog</name>
    <message>
        <location filename="../../ui/accounts_ui.py" line="170"/>
        <source>用恢复密钥找回管理员账户</source>
        <translation>用恢复密钥找回管理员账户</translation>
    </message>
    <message>
        <location filename="../../ui/accounts_ui.py" line="174"/>
        <source>输入首次设置时抄下的恢复密钥（8 组，每组 4 个字母或数字）。</source>
        <translation>输入首次设置时抄下的恢复密钥（8 组，每组 4 个字母或数字）。</translation>
    </message>
    <message>
        <location filename="../../ui/accounts_ui.py" line="183"/>
        <source>恢复密钥：</source>
        <translation>恢复密钥：</translation>
    </message>
    <message>
        <location filename="../../ui/accounts_ui.py" line="184"/>
        <source>管理员用户名：</source>
        <translation>管理员用户名：</translation>
    </message>
    <message>
        <location filename="../../ui/accounts_ui.py" line="185"/>
        <source>新密码：</source>
        <translation>新密码：</translation>
    </message>
    <message>
        <location filename="../../ui/accounts_ui.py" line="186"/>
        <source>再输入一次：</source>
        <translation>再输入一次：</translation>
    </message>
    <message>
        <location filename="../../ui/accounts_ui.py" line="190"/>
        <source>设置新密码</source>
        <translation>设置新密码</translation>
    </message>
    <message>
        <location filename="../../ui/accounts_ui.py" line="190"/>
        <source>取消</source>
        <translation>取消</translation>
    </message>
</context>
<context>
    <name>RecoveryKeyDialog</name>
    <message>
        <location filename="../../ui/accounts_ui.py" line="212"/>
        <source>请抄下恢复密钥</source>
        <translation>请抄下恢复密钥</translation>
    </message>
    <message>
        <location filename="../../ui/accounts_ui.py" line="215"/>
        <source>原来的恢复密钥已经用过，从现在起作废。下面是新的恢复密钥。</source>
        <translation>原来的恢复密钥已经用过，从现在起作废。下面是新的恢复密钥。</translation>
    </message>
    <message>
        <location filename="../../ui/accounts_ui.py" line="216"/>
        <source>管理员忘记密码时，只有这个恢复密钥能打开本机的数据。&lt;br&gt;&lt;b&gt;它只显示这一次。&lt;/b&gt;请抄在纸上，锁在办公室的柜子里；不要拍照或存在电脑里。</source>
        <translation>管理员忘记密码时，只有这个恢复密钥能打开本机的数据。&lt;br&gt;&lt;b&gt;它只显示这一次。&lt;/b&gt;请抄在纸上，锁在办公室的柜子里；不要拍照或存在电脑里。</translation>
    </message>
    <message>
        <location filename="../../ui/accounts_ui.py" line="231"/>
        <source>打印恢复密钥单…</source>
        <translation>打印恢复密钥单…</translation>
    </message>
    <message>
        <location filename="../../ui/accounts_ui.py" line="236"/>
        <source>我已把恢复密钥抄在纸上</source>
        <translation>我已把恢复密钥抄在纸上</translation>
    </message>
    <message>
        <location filename="../../ui/accounts_ui.py" line="241"/>
        <source>继续</source>
        <translation>继续</translation>
    </message>
    <message>
        <location filename="../../ui/accounts_ui.py" line="255"/>
        <source>恢复密钥单</source>
        <translation>恢复密钥单</translation>
    </message>
</context>
<context>
    <name>RegistryPage</name>
    <message>
        <location filename="../../ui/pages.py" line="69"/>
        <source>&lt;h2&gt;台账&lt;/h2&gt;</source>
        <translation>&lt;h2&gt;台账&lt;/h2&gt;</translation>
    </message>
    <message>
        <location filename="../../ui/pages.py" line="73"/>
        <source>姓名任意部分、拼音首字母（如 zs）、身份证号或电话后几位  (Ctrl+F)</source>
        <translation>姓名任意部分、拼音首字母（如 zs）、身份证号或电话后几位  (Ctrl+F)</translation>
    </message>
    <message>
        <location filename="../../ui/pages.py" line="76"/>
        <source>全部村</source>
        <translation>全部村</translation>
    </message>
    <message>
        <location filename="../../ui/pages.py" line="79"/>
        <source>为此人填表…</source>
        <translation>为此人填表…</translation>
    </message>
    <message>
        <location filename="../../ui/pages.py" line="84"/>
        <source>导入名册…</source>
        <translation>导入名册…</translation>
    </message>
    <message>
        <location filename="../../ui/pages.py" line="86"/>
        <source>从 Excel/WPS 或 CSV 名册导入人员（按身份证号新增或更新，可整体撤销）</source>
        <translation>从 Excel/WPS 或 CSV 名册导入人员（按身份证号新增或更新，可整体撤销）</translation>
    </message>
    <message>
        <location filename="../../ui/pages.py" line="93"/>
        <source>也可以单击列标题排序，再单击一次倒过来</source>
        <translation>也可以单击列标题排序，再单击一次倒过来</translation>
    </message>
    <message>
        <location filename="../../ui/pages.py" line="94"/>
        <source>按村、姓名拼音</source>
        <translation>按村、姓名拼音</translation>
    </message>
    <message>
        <location filename="../../ui/pages.py" line="97"/>
        <source>按{column}（升序）</source>
        <translation>按{column}（升序）</translation>
    </message>
    <message>
        <location filename="../../ui/pages.py" line="98"/>
        <source>按{column}（降序）</source>
        <translation>按{column}（降序）</translation>
    </message>
    <message>
        <location filename="../../ui/pages.py" line="99"/>
        <source>排序(&amp;O)：</source>
        <translation>排序(&amp;O)：</translation>
    </message>
    <message>
        <location filename="../../ui/pages.py" line="120"/>
        <source>人员</source>
        <translation>人员</translation>
    </message>
    <message>
        <location filename="../../ui/pages.py" line="125"/>
        <source>住户</source>
        <translation>住户</translation>
    </message>
    <message>
        <location filename="../../ui/pages.py" line="129"/>
        <source>选中一个人，这里显示他/她的情况和全部记录。</source>
        <translation>选中一个人，这里显示他/她的情况和全部记录。</translation>
    </message>
    <message>
        <location filename="../../ui/pages.py" line="134"/>
        <source>显示完整身份证号和电话</source>
        <translation>显示完整身份证号和电话</translation>
    </message>
    <message>
        <location filename="../../ui/pages.py" line="136"/>
        <source>每次查看都记入审计日志</source>
        <translation>每次查看都记入审计日志</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/pages.py" line="210"/>
        <source>住户 %n 户（向下滚动加载更多）</source>
        <translation>
            <numerusform>住户 %n 户（向下滚动加载更多）</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/pages.py" line="212"/>
        <source>住户 %n 户</source>
        <translation>
            <numerusform>住户 %n 户</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/pages.py" line="220"/>
        <source>正在查找…</source>
        <translation>正在查找…</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/pages.py" line="234"/>
        <source>找到 %n+ 人（向下滚动加载更多）</source>
        <translation>
            <numerusform>找到 %n+ 人（向下滚动加载更多）</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/pages.py" line="236"/>
        <source>没有找到“{text}”。可以按姓名的任意部分、拼音首字母（如 zs）、身份证号或电话的后几位查找；也请看看上面选的村对不对。</source>
        <translation>没有找到“{text}”。可以按姓名的任意部分、拼音首字母（如 zs）、身份证号或电话的后几位查找；也请看看上面选的村对不对。</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/pages.py" line="240"/>
        <source>找到 %n 人</source>
        <translation>
            <numerusform>找到 %n 人</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/pages.py" line="262"/>
        <source>（{age} 岁）</source>
        <translation>（{age} 岁）</translation>
    </message>
    <message>
        <location filename="../../ui/pages.py" line="270"/>
        <source>身份证号：{id}</source>
        <translation>身份证号：{id}</translation>
    </message>
    <message>
        <location filename="../../ui/pages.py" line="271"/>
        <source>电话：{phone}&#x3000;住址：{address}</source>
        <translation>电话：{phone}&#x3000;住址：{address}</translation>
    </message>
    <message>
        <location filename="../../ui/pages.py" line="272"/>
        <source>村：{village}&#x3000;风险等级：{tier}</source>
        <translation>村：{village}&#x3000;风险等级：{tier}</translation>
    </message>
    <message>
        <location filename="../../ui/pages.py" line="274"/>
        <source>上次探访：{last}&#x3000;下次应探访：{due}</source>
        <translation>上次探访：{last}&#x3000;下次应探访：{due}</translation>
    </message>
    <message>
        <location filename="../../ui/pages.py" line="282"/>
        <source>（{relation}）</source>
        <translation>（{relation}）</translation>
    </message>
    <message>
        <location filename="../../ui/pages.py" line="283"/>
        <source>{role}：{name}{relation}&#x3000;电话：{phone}</source>
        <translation>{role}：{name}{relation}&#x3000;电话：{phone}</translation>
    </message>
    <message>
        <location filename="../../ui/pages.py" line="289"/>
        <source>监护人：还没有登记（填《农村留守儿童信息登记表》或《困境儿童信息登记表》时登记）</source>
        <translation>监护人：还没有登记（填《农村留守儿童信息登记表》或《困境儿童信息登记表》时登记）</translation>
    </message>
    <message>
        <location filename="../../ui/pages.py" line="291"/>
        <source>能力等级：{level}</source>
        <translation>能力等级：{level}</translation>
    </message>
    <message>
        <location filename="../../ui/pages.py" line="293"/>
        <source>&lt;b&gt;状态：{status}&lt;/b&gt;（{reason}）</source>
        <translation>&lt;b&gt;状态：{status}&lt;/b&gt;（{reason}）</translation>
    </message>
    <message>
        <location filename="../../ui/pages.py" line="314"/>
        <source>完整身份证号：{id}&#x3000;电话：{phone}</source>
        <translation>完整身份证号：{id}&#x3000;电话：{phone}</translation>
    </message>
    <message>
        <location filename="../../ui/pages.py" line="316"/>
        <source>&#x3000;监护人电话：{phone}</source>
        <translation>&#x3000;监护人电话：{phone}</translation>
    </message>
    <message>
        <location filename="../../ui/pages.py" line="335"/>
        <source>请先选择</source>
        <translation>请先选择</translation>
    </message>
    <message>
        <location filename="../../ui/pages.py" line="335"/>
        <source>请先在列表中选择一个人。</source>
        <translation>请先在列表中选择一个人。</translation>
    </message>
</context>
<context>
    <name>ResetPasswordDialog</name>
    <message>
        <location filename="../../ui/accounts_ui.py" line="517"/>
        <source>重设密码</source>
        <translation>重设密码</translation>
    </message>
    <message>
        <location filename="../../ui/accounts_ui.py" line="520"/>
        <source>给 {name}（{login}）一个新密码。本人下次登录时须修改它；数据不受影响。</source>
        <translation>给 {name}（{login}）一个新密码。本人下次登录时须修改它；数据不受影响。</translation>
    </message>
    <message>
        <location filename="../../ui/accounts_ui.py" line="526"/>
        <source>重设</source>
        <translation>重设</translation>
    </message>
    <message>
        <location filename="../../ui/accounts_ui.py" line="526"/>
        <source>取消</source>
        <translation>取消</translation>
    </message>
</context>
<context>
    <name>RevisionFiller</name>
    <message>
        <location filename="../../ui/form_filler.py" line="614"/>
        <source>修改后请按“定稿”保存为新版本</source>
        <translation>修改后请按“定稿”保存为新版本</translation>
    </message>
    <message>
        <location filename="../../ui/form_filler.py" line="631"/>
        <source>修改没有保存</source>
        <translation>修改没有保存</translation>
    </message>
    <message>
        <location filename="../../ui/form_filler.py" line="633"/>
        <source>已保存为新版本</source>
        <translation>已保存为新版本</translation>
    </message>
</context>
<context>
    <name>SelectOneQuestion</name>
    <message>
        <location filename="../../ui/questions.py" line="396"/>
        <source>（请选择）</source>
        <translation>（请选择）</translation>
    </message>
</context>
<context>
    <name>SelfTest</name>
    <message>
        <location filename="../../ui/selftest_qt.py" line="18"/>
        <source>村访通</source>
        <translation>村访通</translation>
    </message>
    <message>
        <location filename="../../ui/selftest_qt.py" line="49"/>
        <source>窗口无法绘制</source>
        <translation>窗口无法绘制</translation>
    </message>
    <message>
        <location filename="../../ui/selftest_qt.py" line="50"/>
        <source>Qt {qt} 已启动（平台 {platform}），窗口绘制正常</source>
        <translation>Qt {qt} 已启动（平台 {platform}），窗口绘制正常</translation>
    </message>
    <message>
        <location filename="../../ui/selftest_qt.py" line="81"/>
        <source>系统里找不到能显示中文的字体（Linux 请安装 fonts-noto-cjk）</source>
        <translation>系统里找不到能显示中文的字体（Linux 请安装 fonts-noto-cjk）</translation>
    </message>
    <message>
        <location filename="../../ui/selftest_qt.py" line="87"/>
        <source>字体 {family} 缺少这些字的字形：{chars}</source>
        <translation>字体 {family} 缺少这些字的字形：{chars}</translation>
    </message>
    <message>
        <location filename="../../ui/selftest_qt.py" line="98"/>
        <source>用 {family} 画出的“{text}”几乎是空白</source>
        <translation>用 {family} 画出的“{text}”几乎是空白</translation>
    </message>
    <message>
        <location filename="../../ui/selftest_qt.py" line="100"/>
        <source>字体 {family}：“{text}”的字形齐全，绘制正常</source>
        <translation>字体 {family}：“{text}”的字形齐全，绘制正常</translation>
    </message>
    <message>
        <location filename="../../ui/selftest_qt.py" line="120"/>
        <source>缺少本系统的界面插件 {plugin}（找到的：{found}）</source>
        <translation>缺少本系统的界面插件 {plugin}（找到的：{found}）</translation>
    </message>
    <message>
        <location filename="../../ui/selftest_qt.py" line="125"/>
        <source>界面翻译 {name} 缺失或无法加载</source>
        <translation>界面翻译 {name} 缺失或无法加载</translation>
    </message>
    <message>
        <location filename="../../ui/selftest_qt.py" line="130"/>
        <source>缺少 Qt 自带的中文翻译 qtbase_zh_CN.qm</source>
        <translation>缺少 Qt 自带的中文翻译 qtbase_zh_CN.qm</translation>
    </message>
    <message>
        <location filename="../../ui/selftest_qt.py" line="135"/>
        <source>缺少导航图标：{names}</source>
        <translation>缺少导航图标：{names}</translation>
    </message>
    <message>
        <location filename="../../ui/selftest_qt.py" line="137"/>
        <source>界面插件 {plugin}、中文翻译和 {count} 个图标都在</source>
        <translation>界面插件 {plugin}、中文翻译和 {count} 个图标都在</translation>
    </message>
    <message>
        <location filename="../../ui/selftest_qt.py" line="142"/>
        <source>图形界面</source>
        <translation>图形界面</translation>
    </message>
    <message>
        <location filename="../../ui/selftest_qt.py" line="143"/>
        <source>中文字体</source>
        <translation>中文字体</translation>
    </message>
    <message>
        <location filename="../../ui/selftest_qt.py" line="144"/>
        <source>界面组件</source>
        <translation>界面组件</translation>
    </message>
</context>
<context>
    <name>SettingsPage</name>
    <message>
        <location filename="../../ui/pages.py" line="772"/>
        <source>&lt;h2&gt;设置&lt;/h2&gt;</source>
        <translation>&lt;h2&gt;设置&lt;/h2&gt;</translation>
    </message>
    <message>
        <location filename="../../ui/pages.py" line="774"/>
        <source>数据目录：</source>
        <translation>数据目录：</translation>
    </message>
    <message>
        <location filename="../../ui/pages.py" line="776"/>
        <source>县局服务器：</source>
        <translation>县局服务器：</translation>
    </message>
    <message>
        <location filename="../../ui/pages.py" line="780"/>
        <source>填表人姓名：</source>
        <translation>填表人姓名：</translation>
    </message>
    <message>
        <location filename="../../ui/pages.py" line="783"/>
        <source>文字大小：</source>
        <translation>文字大小：</translation>
    </message>
    <message>
        <location filename="../../ui/pages.py" line="790"/>
        <source>{percent}%</source>
        <translation>{percent}%</translation>
    </message>
    <message>
        <location filename="../../ui/pages.py" line="793"/>
        <source>高对比度（黑字白底、醒目的焦点框）</source>
        <translation>高对比度（黑字白底、醒目的焦点框）</translation>
    </message>
    <message>
        <location filename="../../ui/pages.py" line="804"/>
        <source>本乡镇：</source>
        <translation>本乡镇：</translation>
    </message>
    <message>
        <location filename="../../ui/pages.py" line="815"/>
        <source>{town}（练习模式的虚构乡镇；本乡镇在正式使用时选择）</source>
        <translation>{town}（练习模式的虚构乡镇；本乡镇在正式使用时选择）</translation>
    </message>
    <message>
        <location filename="../../ui/pages.py" line="822"/>
        <source>探访周期（天）：本县规定与默认不同时在这里修改</source>
        <translation>探访周期（天）：本县规定与默认不同时在这里修改</translation>
    </message>
    <message>
        <location filename="../../ui/pages.py" line="826"/>
        <source>高风险老人</source>
        <translation>高风险老人</translation>
    </message>
    <message>
        <location filename="../../ui/pages.py" line="826"/>
        <source>重点老人</source>
        <translation>重点老人</translation>
    </message>
    <message>
        <location filename="../../ui/pages.py" line="827"/>
        <source>一般老人</source>
        <translation>一般老人</translation>
    </message>
    <message>
        <location filename="../../ui/pages.py" line="828"/>
        <source>儿童（监护情况差）</source>
        <translation>儿童（监护情况差）</translation>
    </message>
    <message>
        <location filename="../../ui/pages.py" line="829"/>
        <source>儿童（监护情况一般）</source>
        <translation>儿童（监护情况一般）</translation>
    </message>
    <message>
        <location filename="../../ui/pages.py" line="830"/>
        <source>儿童（监护情况较好）</source>
        <translation>儿童（监护情况较好）</translation>
    </message>
    <message>
        <location filename="../../ui/pages.py" line="838"/>
        <source>重大变故或安全红线后</source>
        <translation>重大变故或安全红线后</translation>
    </message>
    <message>
        <location filename="../../ui/pages.py" line="839"/>
        <source>所有特殊困难老人每月至少探访一次（月探访率100%目标）</source>
        <translation>所有特殊困难老人每月至少探访一次（月探访率100%目标）</translation>
    </message>
    <message>
        <location filename="../../ui/pages.py" line="844"/>
        <source> 分钟</source>
        <translation> 分钟</translation>
    </message>
    <message>
        <location filename="../../ui/pages.py" line="845"/>
        <source>无人操作多久后自动锁定</source>
        <translation>无人操作多久后自动锁定</translation>
    </message>
    <message>
        <location filename="../../ui/pages.py" line="849"/>
        <source>只有管理员能修改这些设置</source>
        <translation>只有管理员能修改这些设置</translation>
    </message>
    <message>
        <location filename="../../ui/pages.py" line="851"/>
        <source>保存设置</source>
        <translation>保存设置</translation>
    </message>
    <message>
        <location filename="../../ui/pages.py" line="860"/>
        <source>启用账户…</source>
        <translation>启用账户…</translation>
    </message>
    <message>
        <location filename="../../ui/pages.py" line="862"/>
        <source>每人用自己的账户登录，只看到自己负责的村；原数据库密码随之失效</source>
        <translation>每人用自己的账户登录，只看到自己负责的村；原数据库密码随之失效</translation>
    </message>
    <message>
        <location filename="../../ui/pages.py" line="873"/>
        <source>已启用账户</source>
        <translation>已启用账户</translation>
    </message>
    <message>
        <location filename="../../ui/pages.py" line="873"/>
        <source>已启用账户。请在“设置 → 账户”里为村干部、儿童主任添加账户；下次打开村访通时用账户登录。</source>
        <translation>已启用账户。请在“设置 → 账户”里为村干部、儿童主任添加账户；下次打开村访通时用账户登录。</translation>
    </message>
    <message>
        <location filename="../../ui/pages.py" line="882"/>
        <source>尚未登记（在“同步”页用管理员给的登记码登记本机）</source>
        <translation>尚未登记（在“同步”页用管理员给的登记码登记本机）</translation>
    </message>
    <message>
        <location filename="../../ui/pages.py" line="898"/>
        <location filename="../../ui/pages.py" line="911"/>
        <source>已保存</source>
        <translation>已保存</translation>
    </message>
    <message>
        <location filename="../../ui/pages.py" line="898"/>
        <source>填表人姓名已保存。</source>
        <translation>填表人姓名已保存。</translation>
    </message>
    <message>
        <location filename="../../ui/pages.py" line="912"/>
        <source>设置已保存。新的探访周期从下一次定稿的探访记录起生效。</source>
        <translation>设置已保存。新的探访周期从下一次定稿的探访记录起生效。</translation>
    </message>
</context>
<context>
    <name>StartUp</name>
    <message>
        <location filename="../../ui/app_main.py" line="137"/>
        <source>密钥文件有问题</source>
        <translation>密钥文件有问题</translation>
    </message>
    <message>
        <location filename="../../ui/app_main.py" line="139"/>
        <source>现在从备份恢复吗？</source>
        <translation>现在从备份恢复吗？</translation>
    </message>
    <message>
        <location filename="../../ui/app_main.py" line="140"/>
        <source>密钥文件不见了</source>
        <translation>密钥文件不见了</translation>
    </message>
</context>
<context>
    <name>SyncPage</name>
    <message>
        <location filename="../../ui/sync_page.py" line="63"/>
        <source>&lt;h2&gt;同步&lt;/h2&gt;</source>
        <translation>&lt;h2&gt;同步&lt;/h2&gt;</translation>
    </message>
    <message>
        <location filename="../../ui/sync_page.py" line="95"/>
        <source>例如 https://mz.example.gov.cn</source>
        <translation>例如 https://mz.example.gov.cn</translation>
    </message>
    <message>
        <location filename="../../ui/sync_page.py" line="96"/>
        <source>服务器地址：</source>
        <translation>服务器地址：</translation>
    </message>
    <message>
        <location filename="../../ui/sync_page.py" line="99"/>
        <source>管理员给的一次性登记码</source>
        <translation>管理员给的一次性登记码</translation>
    </message>
    <message>
        <location filename="../../ui/sync_page.py" line="101"/>
        <source>登记码：</source>
        <translation>登记码：</translation>
    </message>
    <message>
        <location filename="../../ui/sync_page.py" line="119"/>
        <source>一般不用填；县局使用自己的证书时，由信息员提供（.pem/.crt）</source>
        <translation>一般不用填；县局使用自己的证书时，由信息员提供（.pem/.crt）</translation>
    </message>
    <message>
        <location filename="../../ui/sync_page.py" line="120"/>
        <source>选择…</source>
        <translation>选择…</translation>
    </message>
    <message>
        <location filename="../../ui/sync_page.py" line="116"/>
        <source>CA 证书文件：</source>
        <translation>CA 证书文件：</translation>
    </message>
    <message>
        <location filename="../../ui/sync_page.py" line="127"/>
        <source>登记本机</source>
        <translation>登记本机</translation>
    </message>
    <message>
        <location filename="../../ui/sync_page.py" line="198"/>
        <source>立即同步（F5）</source>
        <translation>立即同步（F5）</translation>
    </message>
    <message>
        <location filename="../../ui/sync_page.py" line="201"/>
        <source>发送已定稿的记录，接收县局的表单和人员名册</source>
        <translation>发送已定稿的记录，接收县局的表单和人员名册</translation>
    </message>
    <message>
        <location filename="../../ui/sync_page.py" line="203"/>
        <source>取消</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../../ui/sync_page.py" line="205"/>
        <source>当前这一步完成后停止；已经发送的记录都已确认，其余的下次继续</source>
        <translation>当前这一步完成后停止；已经发送的记录都已确认，其余的下次继续</translation>
    </message>
    <message>
        <location filename="../../ui/sync_page.py" line="147"/>
        <location filename="../../ui/sync_page.py" line="207"/>
        <source>导出U盘数据包…</source>
        <translation>导出U盘数据包…</translation>
    </message>
    <message>
        <location filename="../../ui/sync_page.py" line="209"/>
        <source>没有网络时，把待发送的记录写成加密数据包，带到县局导入</source>
        <translation>没有网络时，把待发送的记录写成加密数据包，带到县局导入</translation>
    </message>
    <message>
        <location filename="../../ui/sync_page.py" line="171"/>
        <location filename="../../ui/sync_page.py" line="236"/>
        <source>记录</source>
        <translation>记录</translation>
    </message>
    <message>
        <location filename="../../ui/sync_page.py" line="84"/>
        <source>本机还没有登记到县局服务器。不登记也能照常填表，记录都加密保存在本机（下面列出等待发送的记录）。
登记以后，已定稿的记录会自动发送到县局，县局发布的表单和人员名册也会下载到本机。
请向县里的信息员索取服务器地址和一次性登记码（每人一个，用过即失效）。</source>
        <translation>本机还没有登记到县局服务器。不登记也能照常填表，记录都加密保存在本机（下面列出等待发送的记录）。
登记以后，已定稿的记录会自动发送到县局，县局发布的表单和人员名册也会下载到本机。
请向县里的信息员索取服务器地址和一次性登记码（每人一个，用过即失效）。</translation>
    </message>
    <message>
        <location filename="../../ui/sync_page.py" line="105"/>
        <source>高级</source>
        <translation>高级</translation>
    </message>
    <message>
        <location filename="../../ui/sync_page.py" line="136"/>
        <source>没有网络？请县局为您写一个登记文件（用您的登记码加密）：填上登记码，按“用登记文件登记…”选择这个文件。登记以后，记录可以装进加密的U盘数据包，带到县局导入。</source>
        <translation>没有网络？请县局为您写一个登记文件（用您的登记码加密）：填上登记码，按“用登记文件登记…”选择这个文件。登记以后，记录可以装进加密的U盘数据包，带到县局导入。</translation>
    </message>
    <message>
        <location filename="../../ui/sync_page.py" line="142"/>
        <source>用登记文件登记…</source>
        <translation>用登记文件登记…</translation>
    </message>
    <message>
        <location filename="../../ui/sync_page.py" line="144"/>
        <source>没有网络时：用县局写的登记文件和您的登记码登记本机</source>
        <translation>没有网络时：用县局写的登记文件和您的登记码登记本机</translation>
    </message>
    <message>
        <location filename="../../ui/sync_page.py" line="149"/>
        <source>把等待发送的记录写成加密数据包，带到县局导入</source>
        <translation>把等待发送的记录写成加密数据包，带到县局导入</translation>
    </message>
    <message>
        <location filename="../../ui/sync_page.py" line="171"/>
        <source>村</source>
        <translation>村</translation>
    </message>
    <message>
        <location filename="../../ui/sync_page.py" line="171"/>
        <source>状态</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../ui/sync_page.py" line="172"/>
        <source>为什么还在等</source>
        <translation>为什么还在等</translation>
    </message>
    <message>
        <location filename="../../ui/sync_page.py" line="236"/>
        <source>版本</source>
        <translation>版本</translation>
    </message>
    <message>
        <location filename="../../ui/sync_page.py" line="236"/>
        <source>结果</source>
        <translation>结果</translation>
    </message>
    <message>
        <location filename="../../ui/sync_page.py" line="236"/>
        <source>原因</source>
        <translation>原因</translation>
    </message>
    <message>
        <location filename="../../ui/sync_page.py" line="241"/>
        <source>被退回的记录排在前面，标为红色：按原因修改后重新定稿，下次同步会再发送。双击一行打开记录。</source>
        <translation>被退回的记录排在前面，标为红色：按原因修改后重新定稿，下次同步会再发送。双击一行打开记录。</translation>
    </message>
    <message>
        <location filename="../../ui/sync_page.py" line="299"/>
        <source>已装入U盘数据包，等县局导入；下次联网同步时确认。</source>
        <translation>已装入U盘数据包，等县局导入；下次联网同步时确认。</translation>
    </message>
    <message>
        <location filename="../../ui/sync_page.py" line="301"/>
        <source>上次没有发出：{reason}</source>
        <translation>上次没有发出：{reason}</translation>
    </message>
    <message>
        <location filename="../../ui/sync_page.py" line="303"/>
        <source>本机还没有登记到县局服务器，登记后自动发送。</source>
        <translation>本机还没有登记到县局服务器，登记后自动发送。</translation>
    </message>
    <message>
        <location filename="../../ui/sync_page.py" line="307"/>
        <source>录入这条记录的账户还没有在本机登记同步，要等该账户登录并登记后才发送。</source>
        <translation>录入这条记录的账户还没有在本机登记同步，要等该账户登录并登记后才发送。</translation>
    </message>
    <message>
        <location filename="../../ui/sync_page.py" line="309"/>
        <source>本机用的服务器账号不负责这条记录；请用您自己的登记码在本页登记后再同步。</source>
        <translation>本机用的服务器账号不负责这条记录；请用您自己的登记码在本页登记后再同步。</translation>
    </message>
    <message>
        <location filename="../../ui/sync_page.py" line="310"/>
        <source>本机用的服务器账号不负责这条记录（别的村或别的表），要等负责的账户登录后同步。</source>
        <translation>本机用的服务器账号不负责这条记录（别的村或别的表），要等负责的账户登录后同步。</translation>
    </message>
    <message>
        <location filename="../../ui/sync_page.py" line="312"/>
        <source>正在排队，下次同步时发送。</source>
        <translation>正在排队，下次同步时发送。</translation>
    </message>
    <message>
        <location filename="../../ui/sync_page.py" line="313"/>
        <source>已定稿，下次同步时发送。</source>
        <translation>已定稿，下次同步时发送。</translation>
    </message>
    <message>
        <location filename="../../ui/sync_page.py" line="321"/>
        <source>没有等待发送的记录。</source>
        <translation>没有等待发送的记录。</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/sync_page.py" line="323"/>
        <source>等待发送的记录：%n 条</source>
        <translation>
            <numerusform>等待发送的记录：%n 条</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/sync_page.py" line="324"/>
        <source>（先列出最早的 {shown} 条）</source>
        <translation>（先列出最早的 {shown} 条）</translation>
    </message>
    <message>
        <location filename="../../ui/sync_page.py" line="344"/>
        <location filename="../../ui/sync_page.py" line="350"/>
        <location filename="../../ui/sync_page.py" line="460"/>
        <location filename="../../ui/sync_page.py" line="520"/>
        <source>、</source>
        <translation>、</translation>
    </message>
    <message>
        <location filename="../../ui/sync_page.py" line="344"/>
        <location filename="../../ui/sync_page.py" line="350"/>
        <location filename="../../ui/sync_page.py" line="460"/>
        <source>（无）</source>
        <translation>（无）</translation>
    </message>
    <message>
        <location filename="../../ui/sync_page.py" line="345"/>
        <source>账号：{name}（{role}），负责村：{villages}</source>
        <translation>账号：{name}（{role}），负责村：{villages}</translation>
    </message>
    <message>
        <location filename="../../ui/sync_page.py" line="349"/>
        <source>账号：本机共用的登记（不是您自己的登记码）；其中与您负责的村相同的：{villages}</source>
        <translation>账号：本机共用的登记（不是您自己的登记码）；其中与您负责的村相同的：{villages}</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/sync_page.py" line="352"/>
        <source>待同步 %n 条</source>
        <translation>
            <numerusform>待同步 %n 条</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/sync_page.py" line="353"/>
        <source>；被退回待修改 %n 条</source>
        <translation>
            <numerusform>；被退回待修改 %n 条</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/sync_page.py" line="355"/>
        <source>上次同步：从未</source>
        <translation>上次同步：从未</translation>
    </message>
    <message>
        <location filename="../../ui/sync_page.py" line="357"/>
        <source>完成</source>
        <translation>完成</translation>
    </message>
    <message>
        <location filename="../../ui/sync_page.py" line="357"/>
        <source>已取消</source>
        <translation>已取消</translation>
    </message>
    <message>
        <location filename="../../ui/sync_page.py" line="357"/>
        <source>未完成</source>
        <translation>未完成</translation>
    </message>
    <message>
        <location filename="../../ui/sync_page.py" line="359"/>
        <source>上次同步：{when}，{outcome}</source>
        <translation>上次同步：{when}，{outcome}</translation>
    </message>
    <message>
        <location filename="../../ui/sync_page.py" line="360"/>
        <source>（{records}）</source>
        <translation>（{records}）</translation>
    </message>
    <message>
        <location filename="../../ui/sync_page.py" line="362"/>
        <source>原因：{error}</source>
        <translation>原因：{error}</translation>
    </message>
    <message>
        <location filename="../../ui/sync_page.py" line="396"/>
        <source>选择 CA 证书文件</source>
        <translation>选择 CA 证书文件</translation>
    </message>
    <message>
        <location filename="../../ui/sync_page.py" line="397"/>
        <source>证书文件 (*.pem *.crt *.cer);;所有文件 (*)</source>
        <translation>证书文件 (*.pem *.crt *.cer);;所有文件 (*)</translation>
    </message>
    <message>
        <location filename="../../ui/sync_page.py" line="406"/>
        <source>请填写服务器地址和登记码。</source>
        <translation>请填写服务器地址和登记码。</translation>
    </message>
    <message>
        <location filename="../../ui/sync_page.py" line="412"/>
        <source>找不到证书文件 {path}，请重新选择。</source>
        <translation>找不到证书文件 {path}，请重新选择。</translation>
    </message>
    <message>
        <location filename="../../ui/sync_page.py" line="418"/>
        <location filename="../../ui/sync_page.py" line="445"/>
        <location filename="../../ui/sync_page.py" line="478"/>
        <location filename="../../ui/sync_page.py" line="586"/>
        <source>另一项同步工作正在进行，请稍后再试。</source>
        <translation>另一项同步工作正在进行，请稍后再试。</translation>
    </message>
    <message>
        <location filename="../../ui/sync_page.py" line="421"/>
        <source>正在连接服务器 {url} …</source>
        <translation>正在连接服务器 {url} …</translation>
    </message>
    <message>
        <location filename="../../ui/sync_page.py" line="426"/>
        <location filename="../../ui/sync_page.py" line="440"/>
        <source>请先填写登记码（与登记文件一起由县局发给您）。</source>
        <translation>请先填写登记码（与登记文件一起由县局发给您）。</translation>
    </message>
    <message>
        <location filename="../../ui/sync_page.py" line="429"/>
        <source>选择登记文件</source>
        <translation>选择登记文件</translation>
    </message>
    <message>
        <location filename="../../ui/sync_page.py" line="430"/>
        <source>村访通登记文件 (*.cfenroll);;所有文件 (*)</source>
        <translation>村访通登记文件 (*.cfenroll);;所有文件 (*)</translation>
    </message>
    <message>
        <location filename="../../ui/sync_page.py" line="448"/>
        <source>正在读取登记文件…</source>
        <translation>正在读取登记文件…</translation>
    </message>
    <message>
        <location filename="../../ui/sync_page.py" line="461"/>
        <source>登记成功：{name}（{role}），负责村：{villages}。已定稿的记录会自动发送，也可以按“立即同步”。</source>
        <translation>登记成功：{name}（{role}），负责村：{villages}。已定稿的记录会自动发送，也可以按“立即同步”。</translation>
    </message>
    <message>
        <location filename="../../ui/sync_page.py" line="485"/>
        <source>正在取消…（当前这一步完成后停止）</source>
        <translation>正在取消…（当前这一步完成后停止）</translation>
    </message>
    <message>
        <location filename="../../ui/sync_page.py" line="490"/>
        <source>正在连接服务器…</source>
        <translation>正在连接服务器…</translation>
    </message>
    <message>
        <location filename="../../ui/sync_page.py" line="500"/>
        <source>{text}：{done}/{total}</source>
        <translation>{text}：{done}/{total}</translation>
    </message>
    <message>
        <location filename="../../ui/sync_page.py" line="503"/>
        <source>正在接收表单和人员名册…</source>
        <translation>正在接收表单和人员名册…</translation>
    </message>
    <message>
        <location filename="../../ui/sync_page.py" line="515"/>
        <source>本次同步：{records}；人员名册发送 {sent} 条、接收 {received} 条。</source>
        <translation>本次同步：{records}；人员名册发送 {sent} 条、接收 {received} 条。</translation>
    </message>
    <message>
        <location filename="../../ui/sync_page.py" line="518"/>
        <source>本次同步：{records}。</source>
        <translation>本次同步：{records}。</translation>
    </message>
    <message>
        <location filename="../../ui/sync_page.py" line="520"/>
        <source>收到新表单：{forms}。</source>
        <translation>收到新表单：{forms}。</translation>
    </message>
    <message>
        <location filename="../../ui/sync_page.py" line="567"/>
        <source>U盘数据包要用县局服务器的密钥加密，本机还没有这把密钥：请先登记本机（没有网络时用县局写的登记文件），再导出。记录都还在本机。</source>
        <translation>U盘数据包要用县局服务器的密钥加密，本机还没有这把密钥：请先登记本机（没有网络时用县局写的登记文件），再导出。记录都还在本机。</translation>
    </message>
    <message>
        <location filename="../../ui/sync_page.py" line="571"/>
        <location filename="../../ui/sync_page.py" line="598"/>
        <source>没有需要发送的记录，没有生成数据包。</source>
        <translation>没有需要发送的记录，没有生成数据包。</translation>
    </message>
    <message>
        <location filename="../../ui/sync_page.py" line="574"/>
        <source>村访通数据包</source>
        <translation>村访通数据包</translation>
    </message>
    <message>
        <location filename="../../ui/sync_page.py" line="575"/>
        <source>导出U盘数据包</source>
        <translation>导出U盘数据包</translation>
    </message>
    <message>
        <location filename="../../ui/sync_page.py" line="576"/>
        <source>村访通数据包 (*.cfpkg)</source>
        <translation>村访通数据包 (*.cfpkg)</translation>
    </message>
    <message>
        <location filename="../../ui/sync_page.py" line="592"/>
        <source>正在写入数据包…</source>
        <translation>正在写入数据包…</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/sync_page.py" line="600"/>
        <source>已把 %n 条记录写入加密数据包 {path}。请交给县局导入；下次联网同步时会确认县局是否已收到。</source>
        <translation>
            <numerusform>已把 %n 条记录写入加密数据包 {path}。请交给县局导入；下次联网同步时会确认县局是否已收到。</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/sync_page.py" line="606"/>
        <source>无法写入数据包：{reason}。请检查U盘后重试，记录仍在本机。</source>
        <translation>无法写入数据包：{reason}。请检查U盘后重试，记录仍在本机。</translation>
    </message>
    <message>
        <location filename="../../ui/sync_page.py" line="351"/>
        <source>县局服务器：{server}</source>
        <translation>县局服务器：{server}</translation>
    </message>
</context>
<context>
    <name>SyncRunner</name>
    <message>
        <location filename="../../ui/autosync.py" line="161"/>
        <source>服务器提供新版本 {version}，请联系县局信息科安装。</source>
        <translation>服务器提供新版本 {version}，请联系县局信息科安装。</translation>
    </message>
    <message>
        <location filename="../../ui/autosync.py" line="162"/>
        <source>本机版本：{current}</source>
        <translation>本机版本：{current}</translation>
    </message>
    <message>
        <location filename="../../ui/autosync.py" line="164"/>
        <source>说明：{notes}</source>
        <translation>说明：{notes}</translation>
    </message>
    <message>
        <location filename="../../ui/autosync.py" line="166"/>
        <source>详情：{url}</source>
        <translation>详情：{url}</translation>
    </message>
</context>
<context>
    <name>TextQuestion</name>
    <message>
        <location filename="../../ui/questions.py" line="161"/>
        <source>整数</source>
        <translation>整数</translation>
    </message>
    <message>
        <location filename="../../ui/questions.py" line="161"/>
        <source>数字</source>
        <translation>数字</translation>
    </message>
    <message>
        <location filename="../../ui/questions.py" line="161"/>
        <source>如 14:30</source>
        <translation>如 14:30</translation>
    </message>
    <message>
        <location filename="../../ui/questions.py" line="162"/>
        <source>纬度 经度，如 31.86 117.28</source>
        <translation>纬度 经度，如 31.86 117.28</translation>
    </message>
    <message>
        <location filename="../../ui/questions.py" line="162"/>
        <source>如 2024-3-15 14:30</source>
        <translation>如 2024-3-15 14:30</translation>
    </message>
    <message>
        <location filename="../../ui/questions.py" line="163"/>
        <source>扫描或输入编号</source>
        <translation>扫描或输入编号</translation>
    </message>
</context>
<context>
    <name>UnlockDialog</name>
    <message>
        <location filename="../../ui/startup.py" line="145"/>
        <source>村访通 · 解锁</source>
        <translation>村访通 · 解锁</translation>
    </message>
    <message>
        <location filename="../../ui/startup.py" line="149"/>
        <source>请输入数据库密码：</source>
        <translation>请输入数据库密码：</translation>
    </message>
    <message>
        <location filename="../../ui/startup.py" line="155"/>
        <source>解锁</source>
        <translation>解锁</translation>
    </message>
    <message>
        <location filename="../../ui/startup.py" line="157"/>
        <source>退出</source>
        <translation>退出</translation>
    </message>
</context>
<context>
    <name>accounts</name>
    <message>
        <location filename="../../ui/accounts_ui.py" line="59"/>
        <source>两次输入的新密码不一致，请重新输入。</source>
        <translation>两次输入的新密码不一致，请重新输入。</translation>
    </message>
    <message>
        <location filename="../../ui/accounts_ui.py" line="60"/>
        <source>两次输入的密码不一致，请重新输入。</source>
        <translation>两次输入的密码不一致，请重新输入。</translation>
    </message>
</context>
</TS>
