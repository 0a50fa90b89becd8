"""One catalogue of errors a person can see, each with a plain Chinese message.

Code raises ``CunFangError(ErrorCode.X, **context)``; the message is formatted from
the catalogue, so tests assert on codes and every message lives in one place.

A code's stable identifier is its name (``ErrorCode.X.code == "X"``: JSON output and the
sync wire carry it); its message is text that may be reworded. Two codes never merge,
even when their messages read the same (tests/test_error_codes.py).
"""

from __future__ import annotations

import string
from enum import Enum


class Message(str):
    """A catalogue message: a str, but never equal to another catalogue message, so the Enum never merges two
    codes whose texts happen to read the same (an Enum makes members with equal values aliases of the first).
    Against a plain str it compares as text."""

    def __eq__(self, other: object) -> bool:
        return self is other if isinstance(other, Message) else str.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        return not self == other

    __hash__ = str.__hash__

    @property
    def placeholders(self) -> frozenset[str]:
        """The ``{names}`` the message needs from the place that raises it."""
        return frozenset(field for _, field, _, _ in string.Formatter().parse(self) if field)


class ErrorCode(Enum):
    # Form definition (shown to the person who wrote the form).
    FORM_NOT_FOUND = "找不到表单文件：{path}"
    FORM_UNREADABLE = "无法读取表单文件 {path}：{reason}。请确认它是 Excel/WPS 保存的 .xlsx 表单，或 XForm (.xml) 文件。"
    FORM_INVALID = "表单有错误：{reason}"
    FORM_DUPLICATE_NAME = "问题名称“{name}”重复了（另一处在第 {other_row} 行）。每个问题的 name 必须唯一，请改掉其中一个。"
    FORM_DUPLICATE_NAME_IN_GROUPS = "问题名称“{name}”在另一个分组里也用了（第 {other_row} 行）。ODK 允许不同分组里的问题同名，但村访通的记录、台账和同步都按问题名称保存答案，同名会让两个答案混在一起，所以 name 在整张表单里必须唯一，请改掉其中一个（例如加上分组的前缀）。"
    FORM_UNKNOWN_REF = "引用了不存在的问题 ${{{ref}}}。请检查拼写，或先在 survey 表中添加名为“{ref}”的问题。"
    FORM_MISSING_CHOICES = "选项列表“{list_name}”在 choices 表中不存在。请在 choices 表中添加 list_name 为“{list_name}”的选项。"
    FORM_SELECT_NEEDS_LIST = "“{type}”后面需要写选项列表名，例如 select_one yesno，并在 choices 表中定义这个列表。"
    FORM_UNCLOSED_GROUP = "“begin group”没有对应的“end group”。请在这一组问题的末尾加一行 end group。"
    FORM_UNCLOSED_REPEAT = "“begin repeat”没有对应的“end repeat”。请在这一组重复问题的末尾加一行 end repeat。"
    FORM_UNMATCHED_END = "多了一个“{kind}”，前面没有对应的开始行。"
    FORM_UNKNOWN_TYPE = "不认识的问题类型“{type}”。请使用 XLSForm 的标准类型，例如 text、integer、select_one 列表名。"
    FORM_MISSING_TYPE = "这一行有内容但没有填写 type（问题类型）。"
    FORM_MISSING_NAME = "这一行没有填写 name（问题名称）。"
    FORM_CYCLE = "计算出现循环引用：{chain}。请修改其中一个计算，使它不再（间接）引用自己。"
    FORM_UNKNOWN_FUNCTION = "不认识的函数 {name}()。请检查拼写；可用的函数见 README 的“表单函数”一节。"
    FORM_BAD_ARGS = "函数 {name}() 的参数个数不对：{problem}"
    # forms from the real world (what JavaRosa opens, what it refuses)
    FORM_MEDIA_MISSING = "表单引用的文件“{name}”（实例 {id}）不在表单所在的文件夹里：表单仍可打开和填写，但这份数据是空的。"
    FORM_MEDIA_UNREADABLE = "无法读取表单引用的文件“{name}”：{reason}"
    FORM_MEDIA_FILE_MISSING = "表单用到的媒体文件“{name}”不在表单所在的文件夹里：表单仍可打开和填写，这个图片/声音/视频不会显示。"
    FORM_FULLWIDTH = "表达式里的全角符号“{char}”（第 {position} 个字符）已按半角“{ascii}”处理。"
    FORM_BIND_NO_NODESET = "有一个 <bind> 没有 nodeset 属性（{attrs}），不知道它属于哪个问题。请补上 nodeset。"
    FORM_TRANSLATION_NO_LANG = "有一种翻译（<translation>）没有写语言名（lang 属性）。请写上语言名，例如 lang=\"中文\"。"
    FORM_CHOICE_NO_VALUE = "选项“{label}”没有值。每个选项都需要一个值（choices 表的 name 列）。"
    FORM_SELECT_NO_CHOICES = "这道选择题一个选项也没有。请在 choices 表中给它的列表加上选项。"
    FORM_EVENT_UNSUPPORTED = "动作用了不支持的事件“{events}”。可用的事件：odk-instance-first-load、odk-instance-load、odk-new-repeat、xforms-value-changed。"
    FORM_NEW_REPEAT_IN_MODEL = "odk-new-repeat 事件的动作必须写在重复组（<repeat>）里面，不能写在 <model> 里。"
    FORM_SETGEOPOINT_NAMESPACE = "setgeopoint 动作必须使用 ODK 的命名空间（odk:setgeopoint，http://www.opendatakit.org/xforms）。"
    FORM_RANGE_PARAM = "范围题的 {param} 值“{value}”不是数字。请填写数字，例如 start=0 end=10 step=1。"
    FORM_REF_MISSING = "问题绑定到了表单数据中不存在的节点 {ref}。请检查 ref 的拼写，或在 <instance> 里加上这个节点。"
    FORM_ACTION_TARGET_MISSING = "动作要设置的节点 {ref} 在表单数据中不存在。请检查 ref 的拼写。"
    FORM_SELF_RELEVANT = "显示条件（relevant）引用了问题自己：问题没显示时无法回答，所以它永远不会显示。请改为引用前面的问题。"
    FORM_EMPTY_GROUP = "分组 {name} 里没有任何问题。请删掉这个分组，或在里面加上问题。"
    XPATH_SYNTAX = "表达式有语法错误：{problem}（第 {pos} 个字符附近：“{near}”）。表达式：{expr}"
    # Answers (shown next to the question).
    ANSWER_REQUIRED = "此题为必答题，请填写。"
    ANSWER_CHOOSE = "此题为必答题，请选择。"
    ANSWER_CONSTRAINT = "答案不符合本题的要求，请检查。"
    ANSWER_NOT_INTEGER = "请输入整数（如 3），不要带小数点或文字。您输入的是“{value}”。"
    ANSWER_NOT_NUMBER = "请输入数字（如 3.5）。您输入的是“{value}”。"
    ANSWER_NOT_DATE = "“{value}”不是有效的日期。请按 年-月-日 输入，如 2024-3-15、2024/3/15 或 20240315。"
    ANSWER_NOT_TIME = "请输入有效时间，格式如 14:30。您输入的是“{value}”。"
    ANSWER_NOT_DATETIME = "请输入有效的日期时间，格式如 2024-03-15 14:30。您输入的是“{value}”。"
    ANSWER_NOT_IN_CHOICES = "“{value}”不是本题的选项，请从列表中选择。"
    ANSWER_ONE_CHOICE = "本题只能选一项。"
    ANSWER_BAD_GEOPOINT = "位置应写成“纬度 经度”（可加海拔、精度），纬度在 -90 到 90 之间，经度在 -180 到 180 之间。您输入的是“{value}”。"
    ANSWER_OUT_OF_RANGE = "请输入 {start} 到 {end} 之间、间隔为 {step} 的数。您输入的是“{value}”。"
    ANSWER_READ_ONLY = "本题是只读的（由表单自动填写），不能手动填写。"
    ANSWER_UNKNOWN_QUESTION = "表单中没有名为“{name}”的问题，这个答案没有保存。"
    ANSWER_NOT_REPEAT = "“{name}”是一组可重复的问题，答案应是一个列表，每一项是一组答案。"
    ANSWER_TOO_MANY_REPEATS = "“{name}”按表单规定只有 {count} 组，多出的 {extra} 组答案没有保存。"
    ANSWER_BAD_FILE = "附件“{value}”不是有效的文件名。"
    ANSWER_NO_NODE = "问题“{name}”在表单的数据里没有对应的位置（ref 指向不存在的节点），这个答案没有保存。"
    # Notes: an answer the record does not keep, and why (``forms fill`` lists them under "notes").
    NOTE_HIDDEN = "答案“{value}”没有保存：{reason}，按表单规则这道题不显示。"
    NOTE_REPEAT_HIDDEN = "“{name}”的 {count} 组答案没有保存：{reason}，按表单规则这组问题不显示。"
    NOTE_CHANGED = "答案“{value}”没有保存：表单的计算或动作把这道题改成了“{now}”。"
    NOTE_REMOVED = "答案“{value}”没有保存：它所在的“{name}”这一组被删除了（组数由其他答案决定）。"
    NOTE_REASON_OWN = "本题的显示条件（relevant）“{expr}”不成立"
    NOTE_REASON_GROUP = "它所在的“{group}”的显示条件（relevant）“{expr}”不成立"
    NOTE_REASON_UNKNOWN = "它不在表单当前显示的部分里"
    # Local store.
    STORE_MISSING = "数据目录 {path} 里还没有数据库。请先运行 cunfang init（或在桌面程序里完成首次设置）。"
    STORE_EXISTS = "数据目录 {path} 里已经有数据库，不会覆盖它。"
    STORE_WRONG_PASSPHRASE = "密码不正确，数据库没有打开。请再试一次；数据没有任何改动。"
    STORE_NO_PASSPHRASE = "需要数据库密码：请在终端输入，或设置环境变量 CUNFANG_PASSPHRASE。"
    STORE_PASSPHRASE_SHORT = "密码至少需要 {minimum} 个字符。"
    STORE_PASSPHRASE_MISMATCH = "两次输入的密码不一致。"
    STORE_KEYRING_MISSING = "找不到密钥文件 {path}：数据库还在，但没有这个文件打不开（它不是“数据库密码”的问题）。请把备份的 keyring.json 放回这个文件夹。"
    STORE_KEYRING_MISSING_BACKUP = "找不到密钥文件 {path}（数据库还在）。同一文件夹里有它的备份 {backup}：打开村访通时选“从备份恢复”，或运行 cunfang account restore-keyring。"
    STORE_KEYRING_DAMAGED = "密钥文件 {path} 已损坏，无法打开加密数据库。请从备份恢复这个文件。"
    STORE_DAMAGED = "数据库文件已损坏或不是 CunFang 的数据库：{reason}"
    STORE_KEY_MISMATCH = "钥匙文件与数据库不匹配：{path} 不是这个数据库的钥匙文件（可能是从另一台电脑或另一个数据目录复制来的）。数据库本身没有改动；请换回这个数据目录自己的 keyring.json（从备份中找）。"
    STORE_PAGES_DAMAGED = "数据库文件有损坏的部分，无法读取（{reason}）。已保存的其他数据仍在：请运行 cunfang doctor 查看哪一部分损坏，再用 cunfang doctor --salvage 新目录 把能读出的数据抢救到新的数据目录。"
    SALVAGE_SAME_DIR = "抢救的数据要放到一个新的空目录，不能是损坏的数据目录本身（{path}）。"
    DISK_FULL = "磁盘空间不足，{action}没有完成；已保存的数据没有受影响。请删除一些不需要的文件（或清空回收站）腾出空间后再试。数据目录在 {path}。"
    STORE_NEWER = "数据库版本（{found}）比本程序（{known}）新，请升级村访通后再打开。"
    STORE_BUSY = "数据库正被另一个村访通窗口使用，请关闭另一个窗口后再试。"
    RECORD_NOT_FOUND = "找不到记录 {uuid}。"
    RECORD_INVALID = "记录还有 {count} 处问题，不能定稿：{first}"
    RECORD_BAD_STATUS = "记录当前状态为“{status}”，不能{action}。"
    RECORD_REASON_NEEDED = "修改已发送的记录需要填写修改原因。"
    HOUSE_NUMBER_TAKEN = "{village}已经有门牌号 {number}（记录：{other}）。同一个村的门牌号不能重复，请核对后更正。"
    PERSON_NOT_FOUND = "找不到人员 {person_id}。"
    # Sync with the bureau server (the code travels on the wire; the message is what the person sees).
    SYNC_FORM_UNKNOWN = "服务器上没有表单“{form_id}”的版本 {version}。请先让县局在服务器上发布这个版本的表单，记录仍保留在本机。"
    SYNC_RECORD_INVALID = "服务器检查发现记录有问题：{first}（共 {count} 处）。请打开记录修改后重新提交。"
    SYNC_VILLAGE_NOT_ALLOWED = "您的账号不负责村“{village}”，服务器没有接收这条记录。请联系管理员分配村庄。"
    SYNC_FORM_NOT_ALLOWED = "您的角色（{role}）不能提交表单“{form_id}”。请联系管理员。"
    SYNC_NO_VILLAGE = "记录没有所属村，而您的账号负责多个村，服务器无法判断归属。请在记录中选择对象后重新定稿。"
    SYNC_CONTENT_MISMATCH = "记录在传输中损坏（校验值不符），没有入库，下次同步会重新发送。"
    SYNC_ATTACHMENTS_MISSING = "还有 {count} 个附件（照片、签名等）没有传完，记录暂不入库，下次同步会继续上传。"
    SYNC_ATTACHMENT_BAD_HASH = "附件 {hash} 传输后内容不一致，已丢弃，下次同步会重新上传。"
    SYNC_ATTACHMENT_TOTAL_CHANGED = ("附件 {hash} 的总大小与开始上传时不同（开始时 {first} 字节，现在 {now} 字节）："
                                     "这次上传已作废，下次同步会从头重传。")
    SYNC_ATTACHMENT_QUOTA = ("本机在服务器上还没传完的附件已有 {used_mb} MB，再加上这个 {size_mb} MB 的附件会超过每台电脑 "
                             "{quota_mb} MB 的上限。没传完的附件 {days} 天后自动清除；如急需发送，请联系县局管理员。")
    SYNC_ATTACHMENT_UNFINISHED = "附件“{name}”没能传到服务器：{reason} 这条记录留在本机，下次同步再传；其他记录照常发送。"
    SYNC_ATTACHMENT_TOO_BIG = "附件 {name} 有 {size_mb} MB，超过了服务器允许的 {limit_mb} MB。请换一张小一些的照片。"
    SYNC_CONFLICT = "服务器上已有这条记录更新的修订（第 {server_revision} 版），两份都已保留，等待乡镇审核人员处理。"
    SYNC_BAD_REQUEST = "同步数据格式不正确：{reason}"
    SYNC_NOT_ENROLLED = "本机还没有登记到县局服务器。请在“同步”页填写服务器地址和管理员给的登记码（命令行：cunfang enroll 服务器地址 登记码）。"
    SYNC_TOKEN_INVALID = "登记码无效、已被使用或已过期。请向管理员重新申请登记码。"
    SYNC_DEVICE_REVOKED = "本机的同步凭证已被管理员停用或无效。请联系管理员重新登记本机；本机数据不受影响。"
    SYNC_UNREACHABLE = "连不上服务器 {url}：{reason}。数据都保存在本机，网络恢复后再同步即可。"
    SYNC_TLS_FAILED = "无法验证服务器 {url} 的安全证书：{reason}。请向县局信息科索取证书文件，在登记时选择它（命令行 --ca-file），不要关闭证书检查。"
    SYNC_CA_FILE_BAD = "无法读取证书文件 {path}：{reason}。请确认它是县局信息科提供的 PEM 格式证书。"
    SYNC_SERVER_ERROR = "服务器暂时出错（{status}），数据都保存在本机，稍后会自动重试。"
    SYNC_PROTOCOL_MISMATCH = "服务器的同步协议版本（{server}）与本程序（{client}）不一致，请升级村访通。"
    SYNC_CANCELLED = "同步已取消；已经发送的记录都已确认，其余的下次继续。"
    SYNC_PACKAGE_UNREADABLE = "无法读取数据包 {path}：{reason}"
    SYNC_PACKAGE_WRONG_SERVER = "这个数据包不是发给本服务器的（或已损坏），无法解密。"
    SYNC_ENROLL_FILE_BAD = "无法用登记文件 {path} 登记：{reason}。请核对登记码（与文件一起由县局发给您），或向县局重新索取。"
    SYNC_PRACTICE_REFUSED = "这批记录里有练习模式做的记录（虚构的数据），服务器不收，这一批什么也没有保存。练习模式的记录不会发送到县局，请在正式模式下填写真实记录后再同步。"
    PRACTICE_NOT_SENT = "这是练习模式的数据（虚构的），不会发送到县局，也不能登记服务器。请先退出练习模式（“练习模式 → 退出练习模式”）。"
    SYNC_USER_EXISTS = "用户“{name}”已经存在。"
    SYNC_ROLE_UNKNOWN = "不认识的角色“{role}”。可用的角色：{roles}。"
    # What the server holds decides (issue 16): a record's stored village, its person and the person's village.
    SYNC_PERSON_OTHER_VILLAGE = "记录写的村（{village}）与记录对象所在的村（{person_village}）不一致，服务器没有接收。请在记录中重新选择对象后定稿。"
    SYNC_PERSON_NOT_ALLOWED = "您的角色（{role}）不负责这类人员（{kind}），服务器没有接收。请联系乡镇工作人员。"
    SYNC_MOVE_NOT_ALLOWED = "服务器上这条信息属于村“{old}”，改到村“{new}”需要乡镇工作人员办理，服务器没有接收这次修改。"
    SYNC_PERSON_ELSEWHERE = "身份证号相同的人员已在您不负责的村登记，服务器没有接收。请联系乡镇工作人员核实。"
    SYNC_FORM_CHANGED = "服务器上这条记录是表单“{old}”，不能改成“{new}”，服务器没有接收。"
    SYNC_NOT_COVERED = "本机这次同步用的服务器账号（{user}，{role}）不负责其中 {count} 条记录（别的村或别的表），它们留在本机暂不发送。请负责的账户登录后同步，或在“同步”页登记自己的登记码。"
    SYNC_ACCOUNT_NOT_ENROLLED = "账户“{login}”还没有在本机登记同步，TA 的 {count} 条记录留在本机暂不发送。请该账户登录后，在“同步”页填写自己的登记码登记本机。"
    # The bureau's web console (issue 21).
    CONSOLE_TOWNSHIP_NEEDED = "乡镇账户要写明乡镇的行政区划代码（9 位数字，例如 341100101），其他角色不写。"
    CONSOLE_SIGN_IN_AGAIN = "登录已过期（长时间没有操作），请重新登录。"
    CONSOLE_CSRF = "页面已过期或来源不明，操作没有执行。请刷新页面后再试。"
    CONSOLE_FORBIDDEN = "您的账户没有权限查看这一页。"
    CONSOLE_EXPORT_CHOICE = "请从列表中选择要导出的台账或记录。"
    CONSOLE_EXPORT_PLACE = "“{place}”不在您的查看范围内，请从列表中选择乡镇或村。"
    # Accounts, roles and the lock screen (issue 9).
    ACCOUNT_BAD_LOGIN = "用户名或密码不正确。请再试一次（注意大小写和输入法）。"
    ACCOUNT_WAIT = "密码连续输错多次，为保护数据，请等 {seconds} 秒后再试。"
    ACCOUNT_LOGIN_NEEDED = "这个数据库已启用账户，请用用户名和密码登录（命令行：设置 CUNFANG_USER 和 CUNFANG_PASSWORD，或在终端输入）。"
    ACCOUNT_NO_LOGIN = "需要用户名和密码：请在终端输入，或设置环境变量 CUNFANG_USER 和 CUNFANG_PASSWORD。"
    ACCOUNT_EXISTS = "用户名“{login}”已经有人用了，请换一个。"
    ACCOUNT_NOT_FOUND = "没有用户名为“{login}”的账户。"
    ACCOUNT_BAD_NAME = "用户名只能用 2–32 个字母、数字、下划线、点或减号（例如 zhangsan），不能用汉字或空格。您输入的是“{login}”。"
    ACCOUNT_PASSWORD_SHORT = "密码至少需要 {minimum} 个字符。"
    ACCOUNT_PASSWORD_SAME = "新密码不能与用户名相同，也不能与旧密码相同。"
    ACCOUNT_NEEDS_VILLAGE = "{role}需要指定负责的村（至少一个）。"
    ACCOUNT_UNKNOWN_VILLAGE = "没有编号为“{village}”的村。已有的村：{villages}。"
    ACCOUNT_DISABLED = "账户“{login}”已停用。请联系管理员。"
    ACCOUNT_LAST_ADMIN = "不能停用或降级最后一个管理员账户，否则没有人能管理账户。"
    ACCOUNT_PASSWORD_COMMON = "这个密码太常见（像 12345678、88888888、woaini1314 这样的密码别人一猜就中）。请换一个不容易猜到的密码。"
    ACCOUNT_PASSWORD_LOGIN = "密码里不能有用户名“{login}”：知道用户名的人很容易猜到。"
    ACCOUNT_PASSWORD_NAME = "密码里不能有本人姓名的拼音（{pinyin}）：认识您的人很容易猜到。"
    ACCOUNT_PASSWORD_PHONE = "密码不能用本人的手机号码：认识您的人很容易猜到。"
    ACCOUNT_MUST_CHANGE = "管理员重设了账户“{login}”的密码，请先设置一个新密码再继续（命令行：在终端输入，或设置 CUNFANG_NEW_PASSWORD）。"
    ACCOUNT_TAMPERED = "账户“{login}”的资料（角色、负责的村或是否停用）被人在村访通之外改动过，不能按改动后的权限登录。请联系管理员登录检查。"
    ACCOUNT_NO_SIGNING_KEY = "您的管理员账户还没有账户签名密钥，暂时不能添加或修改账户：请另一位管理员为您重设一次密码，或用恢复密钥登录。"
    ACCOUNT_BAD_RECOVERY_KEY = "恢复密钥不正确。请对照首次设置时打印或抄下的恢复密钥，逐组输入（不区分大小写，可带减号）。"
    ACCESS_DENIED = "您的账户（{role}）不能{action}。{hint}"
    ACCESS_FORM = "您的账户（{role}）不填写“{form}”这张表。"
    ACCESS_VILLAGE = "这条记录属于您不负责的村（{village}），不能查看或修改。"
    # The audit log (PIPL): `cunfang audit verify`.
    AUDIT_ENTRY_MISSING = "第 {id} 条审计记录不见了（被删除）。"
    AUDIT_CHAIN_BROKEN = "第 {id} 条审计记录与前一条对不上（前一条被删除或修改过）。"
    AUDIT_ENTRY_ALTERED = "第 {id} 条审计记录的内容被修改过。"
    AUDIT_TAIL_MISSING = "审计记录应有 {expected} 条，现在只有 {found} 条：末尾的记录被删除了。"
    # What the bureau server finds when a laptop's audit log no longer continues what it acknowledged.
    AUDIT_SERVER_CUT = "电脑上第 {first} 至 {last} 条审计记录不见了：服务器此前已收到并确认过它们（记录被删除）。"
    AUDIT_SERVER_FORK = "电脑上第 {id} 条审计记录与服务器此前确认的不同：记录被删除后重写，或被替换。"
    AUDIT_TAIL_WAS_CUT = "审计记录末尾曾被删除：应有 {expected} 条时只剩 {found} 条（{at} 发现，已记入审计记录并在同步时报告）。"
    AUDIT_HEAD_ALTERED = "密钥文件里记下的审计记录末尾被改动过（不是村访通写的）。"
    # Importing a roster from a spreadsheet (`cunfang import`, 台账 → 导入名册…); IMPORT_ROW_* explain one row.
    IMPORT_UNSUPPORTED = "不能导入“{suffix}”文件。请选择 Excel/WPS 表格（.xlsx、.xls）或 .csv 文件。"
    IMPORT_UNREADABLE = "无法读取文件 {path}：{reason}。"
    IMPORT_NO_HEADER = "在 {path} 中找不到表头行：前 30 行里没有一行同时写着“姓名”“身份证号”等列名。请确认这是人员名册。"
    IMPORT_SHEET_NOT_FOUND = "文件中没有名为“{sheet}”的工作表。文件中的工作表：{sheets}。"
    IMPORT_NOT_MAPPED = "还没有指定哪一列是“{field}”，无法导入。请在列对应中选择。"
    IMPORT_BAD_MAPPING = "不认识的字段“{item}”。列对应写成“列名=字段”，字段可以是：{fields}。"
    IMPORT_FORM_UNSUPPORTED = "表单“{form_id}”不是人员登记表，不能按它导入。可以用：{forms}。"
    IMPORT_VILLAGE_UNKNOWN = "本机没有村“{village}”。本机的村：{villages}。"
    IMPORT_NOT_FOUND = "找不到第 {import_id} 次导入。"
    IMPORT_ALREADY_UNDONE = "第 {import_id} 次导入已经在 {at} 撤销过了。"
    IMPORT_UNDO_BLOCKED = "第 {import_id} 次导入不能撤销，数据没有任何改动：{reasons}。"
    IMPORT_UNDO_HAS_RECORDS = "{name}已有 {count} 条记录"
    IMPORT_UNDO_SYNCED = "{name}已经同步到县局服务器"
    IMPORT_UNDO_GUARDIAN = "{name}已被登记为{other}的监护人"
    IMPORT_UNDO_LATER_IMPORT = "{name}在第 {later} 次导入中又被修改过，请先撤销第 {later} 次导入"
    IMPORT_UNDO_GONE = "导入的人员 {person_id} 已不在本机台账中"
    IMPORT_UNDO_HOUSEHOLD_USED = "导入时新建的住户（门牌 {number}）已有其他人员或记录"
    IMPORT_ROW_NOT_PERSON = "没有姓名和身份证号，不是人员行（如合计、填表人），已跳过。"
    IMPORT_ROW_MISSING = "缺少{field}。"
    IMPORT_ROW_MISSING_ID = "缺少身份证号（导入按身份证号识别人员，没有身份证号的人请在程序中登记）。"
    IMPORT_ROW_ID_AS_NUMBER = "身份证号在 Excel 里被存成了数字（{value}），后几位已经丢失，无法还原。请把这一列设为“文本”，照身份证重新录入后再导入。"
    IMPORT_ROW_ID_ZEROED = "身份证号 {value} 以 000 结尾且校验位不对：像是在 Excel 里被当作数字保存过，后几位已变成 0。请照身份证重新录入。"
    IMPORT_ROW_ID_INVALID = "{problem}"
    IMPORT_ROW_VILLAGE_UNKNOWN = "村“{village}”不在本机的村列表中（本机的村：{known}）。请核对村名。"
    IMPORT_ROW_NO_VILLAGE = "不知道是哪个村的：表中没有“村”这一列，也没有选择导入到哪个村。"
    IMPORT_ROW_KIND_UNKNOWN = "无法判断是老人还是儿童：请选择导入对象（命令行用 --kind 或 --form）。"
    IMPORT_ROW_KIND_MISMATCH = "台账中这个身份证号是{existing}“{name}”，不是{wanted}。"
    IMPORT_ROW_DUPLICATE = "身份证号与第 {other} 行相同而内容不同（同一文件中重复），请核对后只保留一行。"
    IMPORT_ROW_REPEATED = "与第 {other} 行完全相同（重复行），只导入第 {other} 行。"
    IMPORT_NOTE_SEX = "表中性别“{value}”与身份证号不符，按身份证号填写。"
    IMPORT_NOTE_BIRTH = "表中出生日期“{value}”与身份证号不符，按身份证号填写。"
    IMPORT_NOTE_IGNORED = "{field}“{value}”不认识，这一项没有导入。"
    # Exporting to spreadsheets (`cunfang export`, 导出).
    EXPORT_FORMAT = "不能导出为“{suffix}”文件。文件名请以 .xlsx（Excel/WPS 工作簿）或 .csv 结尾。"
    EXPORT_FORM_UNKNOWN = "本机没有表单“{form_id}”。可以导出的表单：{forms}。"
    EXPORT_VILLAGE_UNKNOWN = "本机没有村“{village}”。本机的村：{villages}。"
    EXPORT_STATUS_UNKNOWN = "不认识的记录状态“{status}”。可用的状态：{statuses}。"
    EXPORT_BAD_DATE = "日期“{value}”不正确，请写成 2026-03-15 这样的格式。"
    EXPORT_DATES_REVERSED = "开始日期 {since} 晚于结束日期 {until}，请对调。"
    EXPORT_FULL_IDS_NOT_ALLOWED = "您的角色（{role}）不能导出完整的身份证号和电话号码；不加 --full-ids 导出时它们会被遮蔽。"
    EXPORT_CANCELLED = "导出已取消，没有留下不完整的文件。"
    EXPORT_WRITE_FAILED = "无法写入 {path}：{reason}。如果这个文件正在 Excel/WPS 中打开，请先关闭它，或换一个文件名。"
    EXPORT_NOTHING = "请用 --form 指定表单，或用 --ledger 指定台账样式（两者选一）。"
    LEDGER_UNKNOWN = "没有台账样式“{name}”。可用的台账样式：{names}。"
    LEDGER_INVALID = "台账样式文件 {path} 有错误：{reason}"
    # The laptop's clock (app/clock.py): warnings shown before a visit is dated by it.
    CLOCK_BEFORE_RECORDS = "电脑的日期时间（{now}）比本机已经保存的最新记录（{newest}）还早：电脑时钟可能被重置了（例如主板电池没电），或者之前调快了。请先在系统设置里把日期和时间改对，再填写或定稿探访记录，否则记录会标上错误的日期，“不能晚于今天”之类的检查也会出错。"
    CLOCK_BEFORE_SYNC = "电脑的日期时间（{now}）比上次同步时县局服务器的时间（{server}）还早，电脑时钟可能被重置了（例如主板电池没电）。请先在系统设置里把日期和时间改对，再填写或定稿探访记录。"
    CLOCK_OFF_SERVER = "上次同步时（{at}），电脑时钟比县局服务器{direction}了 {amount}。请在系统设置里把日期、时间和时区改对（或打开“自动设置时间”），再填写或定稿探访记录；改对后同步一次，这条提示就会消失。"
    # Places: the 统计用区划代码 table and the county list the bureau publishes (app/regions.py).
    REGION_UNKNOWN = "区划代码“{region}”不在区划表里（乡镇为 9 位、村为 12 位数字）。请从列表中选择，或请县局在村名单里加上它。"
    REGION_LIST_INVALID = "村名单第 {line} 行有错误：{reason}。每行写“代码 名称”（用 Tab 或逗号隔开），代码是本县的 9 位乡镇或 12 位村代码。"
    REGION_LIST_NONE = "服务器上还没有县“{county}”的村名单。请先用 cunfang-server regions load {county} 载入。"
    # Command line.
    ANSWERS_UNREADABLE = "无法读取答案文件 {path}：{reason}"

    def __new__(cls, text: str) -> ErrorCode:
        member = object.__new__(cls)
        member._value_ = Message(text)
        return member

    def __reduce_ex__(self, protocol: object) -> tuple:
        return getattr, (ErrorCode, self.name)  # by name: a message is equal only to itself

    @property
    def code(self) -> str:
        """The stable identifier (what JSON output and the sync wire carry)."""
        return self.name

    @property
    def message(self) -> str:
        """The message before formatting; ``CunFangError`` fills its placeholders."""
        return str(self.value)

    def format(self, **context: object) -> str:
        return self.value.format(**context)


class CunFangError(Exception):
    """An error with a catalogue code and the context its message needs."""

    def __init__(self, code: ErrorCode, **context: object):
        self.code = code
        self.context = context
        super().__init__(self.message)

    @property
    def message(self) -> str:
        return self.code.format(**self.context)

    def __str__(self) -> str:
        return self.message


class FormError(CunFangError):
    """A problem in a form definition, located at a sheet, row, column and question."""

    def __init__(
        self,
        code: ErrorCode,
        *,
        sheet: str | None = None,
        row: int | None = None,
        column: str | None = None,
        question: str | None = None,
        **context: object,
    ):
        self.sheet, self.row, self.column, self.question = sheet, row, column, question
        super().__init__(code, **context)

    @property
    def location(self) -> str:
        """Where the problem is, in Chinese, e.g. “survey 表第 5 行，constraint 列，问题 age”."""
        parts = []
        if self.sheet:
            parts.append(f"{self.sheet} 表" + (f"第 {self.row} 行" if self.row else ""))
        if self.column:
            parts.append(f"{self.column} 列")
        if self.question:
            parts.append(f"问题 {self.question}")
        return "，".join(parts)

    def __str__(self) -> str:
        where = self.location
        return f"{where}：{self.message}" if where else self.message

    def to_dict(self) -> dict:
        return {
            "code": self.code.name,
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "question": self.question,
            "message": self.message,
        }


class FormCheckFailed(CunFangError):
    """A form that cannot be used, with every problem found."""

    def __init__(self, errors: list[FormError]):
        self.errors = errors
        super().__init__(errors[0].code, **errors[0].context)

    def __str__(self) -> str:
        return "\n".join(str(e) for e in self.errors)


# ---------------------------------------------------------------- network failures in plain words

# (markers in the raw detail, the cause, the fix); the first match wins, so narrow causes come first.
_NETWORK_CAUSES: tuple[tuple[tuple[str, ...], str, str], ...] = (
    (("NameResolutionError", "getaddrinfo", "Name or service not known", "nodename nor servname",
      "Temporary failure in name resolution", "No address associated", "11001"),
     "找不到服务器地址（域名解析失败）", "请检查本机是否已联网、服务器地址是否写对"),
    (("SSLCertVerificationError", "CERTIFICATE_VERIFY_FAILED", "certificate verify failed"),
     "服务器的安全证书无法验证", "请向县局信息科索取证书文件，在“同步”页的“高级”里选择它，不要关闭证书检查"),
    (("timed out", "Timeout", "timeout"),
     "服务器太久没有回应（超时）", "网络可能太慢或服务器正忙，请稍后再试"),
    (("Connection refused", "ConnectionRefusedError", "10061"),
     "服务器拒绝了连接", "服务器程序可能没有运行，或地址中的端口不对，请联系县局信息科"),
    (("Network is unreachable", "No route to host", "10051", "10065"),
     "本机连不上网络", "请检查网线、Wi-Fi 或手机热点后再试"),
    (("Connection reset", "Connection aborted", "RemoteDisconnected", "10054"),
     "连接中途被断开", "网络不稳定，请稍后再试"),
    (("ProxyError",), "代理服务器出错", "请检查本机的代理设置，或改用不经代理的网络"),
    (("SSLError", "SSL:", "WRONG_VERSION_NUMBER"),
     "与服务器的加密连接没有建立", "请确认服务器地址（https:// 开头）写对，或联系县局信息科"),
)
_RAW_MARKERS = ("Error(", "Caused by", "Max retries", "Errno", "HTTPConnectionPool", "HTTPSConnectionPool", "[SSL")


def explain_network_failure(text: str) -> str | None:
    """A sync failure's raw detail (requests' and urllib3's English) as one Chinese sentence with the cause and
    the fix, or None when ``text`` carries no such detail. The raw text stays for 详细信息."""
    if not any(marker in text for marker in _RAW_MARKERS):
        return None
    cause, fix = next(((c, f) for markers, c, f in _NETWORK_CAUSES if any(m in text for m in markers)),
                      ("网络不通或服务器没有回应", "请检查本机是否已联网，稍后再试；仍不行请联系县局信息科"))
    return f"连不上服务器：{cause}。{fix}。数据都保存在本机，不会丢失。"

_DISK_FULL_ERRNOS = {28, 122, 27}  # ENOSPC, EDQUOT (Linux), EFBIG (a file-size limit)
_SQLITE_FULL, _SQLITE_CORRUPT, _SQLITE_NOTADB = 13, 11, 26


def disk_full(exc: BaseException | None, *, action: str = "这次操作", path: object = None) -> CunFangError | None:
    """DISK_FULL if ``exc`` or what caused it is a full disk (ENOSPC from a write, SQLITE_FULL from the
    database), naming the folder to free space on (the data directory unless ``path`` says otherwise)."""
    seen = 0
    while exc is not None and seen < 8:
        code = getattr(exc, "sqlite_errorcode", None)
        if (isinstance(exc, OSError) and exc.errno in _DISK_FULL_ERRNOS) or (
                code is not None and code & 0xFF == _SQLITE_FULL):
            if path is None:
                from app.paths import data_dir

                path = data_dir()
            return CunFangError(ErrorCode.DISK_FULL, action=action, path=path)
        if isinstance(exc, CunFangError) and exc.code is ErrorCode.DISK_FULL:
            return exc
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return None


def explain(exc: BaseException, *, action: str = "这次操作", path: object = None) -> CunFangError | None:
    """The catalogue's error for a failure from below (the disk, SQLite), or None if it is unexpected.

    A full disk becomes DISK_FULL (see ``disk_full``); a page that fails SQLCipher's check becomes
    STORE_PAGES_DAMAGED, which points at ``cunfang doctor``; a CunFangError is itself.
    """
    full = disk_full(exc, action=action, path=path)
    if full is not None:
        return full
    if isinstance(exc, CunFangError):
        return exc
    seen, cause = 0, exc
    while cause is not None and seen < 8:  # also when closing the store failed after the damaged read
        code = getattr(cause, "sqlite_errorcode", None)
        if code is not None and code & 0xFF in (_SQLITE_CORRUPT, _SQLITE_NOTADB):
            return CunFangError(ErrorCode.STORE_PAGES_DAMAGED, reason=str(cause))
        cause, seen = cause.__cause__ or cause.__context__, seen + 1
    return None
