#!/bin/bash
# A cadre's day on a 1366x768 laptop screen, by keyboard only (xdotool), in one run of the real app:
#   first run (the administrator's account, the township from the province → city → county → township lists;
#   the recovery key) → the real 工作台 →
#   练习模式 (its practice township) → 工作台: the first overdue elder (类别 column, typed 老) → Enter → the visit →
#   filled by keyboard (a phone visit; dates typed as 2026/12/5 and 2026.12.11; F4 calendar) → Ctrl+Enter 定稿 →
#   记录 → 导出 (Excel, through the save dialog, into $HOME/Documents) → 台账 → 设置 → 退出练习模式 → sign in with the password → the real 工作台 again.
# A screenshot at each step, the window geometry on each page in geometry.txt, the log in app.log. Waits are on
# window titles (xdotool search) and on the screen settling (two pictures alike), not fixed sleeps.
#   laptop-screen [--scale 1.25] -- tests/ui/xvfb/cadre_day.sh OUT_DIR DATA_DIR   (PYTHON=.venv/bin/python)
set -u
out=$(realpath -m "$1"); data=$(realpath -m "$2")
mkdir -p "$out"; rm -rf "$data"
PASSWORD=${CADRE_PASSWORD:-East-hill-2026-a}
VISIT_DAY=${VISIT_DAY:-$(date -d "-1 day" +%Y/%-m/%-d)}  # typed as people write dates: 2026/12/5
NEXT_DAY=${NEXT_DAY:-$(date -d "+5 days" +%Y.%-m.%-d)}   # and 2026.12.11 (within a 高风险 elder's 7 days)
step() { echo "$(date +%T) $*" >> "$out/steps.txt"; }
fail() { step "FAILED: $*"; import -window root "$out/failed.png"; kill "$app" 2>/dev/null; exit 1; }
waitwin() { timeout "${2:-60}" xdotool search --sync --onlyvisible --name "$1" >/dev/null 2>&1 || fail "no window $1"; }
gone() {  # until no visible window has this title
  for _ in $(seq 120); do xdotool search --onlyvisible --name "$1" >/dev/null 2>&1 || return 0; sleep 0.25; done
  fail "window $1 still open"
}
settle() {  # until two pictures of the screen 0.3 s apart differ by less than a blinking cursor
  local prev="$out/.settle-a.png" cur="$out/.settle-b.png"
  import -window root "$prev"
  for _ in $(seq 40); do
    sleep 0.3
    import -window root "$cur"
    [ "$(compare -metric AE "$prev" "$cur" null: 2>&1 | cut -d' ' -f1)" -lt 400 ] 2>/dev/null && return 0
    mv "$cur" "$prev"
  done
  step "screen never settled"
}
shot() { settle; import -window root "$out/$1.png"; step "shot $1"; }
differs() { [ "$(compare -metric AE "$1" "$2" null: 2>&1 | cut -d' ' -f1)" -ge "${3:-2000}" ] 2>/dev/null; }
act() {  # keys whose effect shows on the screen: press them, then wait until the screen has changed
  import -window root "$out/.before.png"
  key "$@"
  for _ in $(seq 80); do
    import -window root "$out/.after.png"
    differs "$out/.before.png" "$out/.after.png" && return 0
    sleep 0.25
  done
  step "no change on the screen after $*"
}
key() { xdotool key --clearmodifiers --delay 120 "$@"; }
typed() {  # a character missing from the keyboard map is typed on a key xdotool maps to it for half the delay:
  # slow enough for Chinese that the app has read the key before the map changes back (else it is lost)
  if [ -z "$(printf %s "$1" | LC_ALL=C tr -d '\040-\176')" ]; then
    xdotool type --clearmodifiers --delay 90 "$1"
  else
    xdotool type --clearmodifiers --delay 500 "$1"
  fi
}
geom() {  # "STEP x y width height" of the window (its inside, as X places it) titled $1
  local id; id=$(xdotool search --onlyvisible --name "$1" | tail -1)
  xwininfo -id "$id" | awk -v step="$2" '/Absolute upper-left X/ {x=$NF} /Absolute upper-left Y/ {y=$NF}
    /^ *Width:/ {w=$NF} /^ *Height:/ {h=$NF} END {print step, x, y, w, h}' >> "$out/geometry.txt"
}

cd "$(dirname "$0")/../../.."
export PYTHONPATH="$PWD" XDG_CONFIG_HOME="$out/config" HOME="$out/home"  # never the user's own settings or files
mkdir -p "$HOME/Documents"
"${PYTHON:-python3}" -m ui.entry --data-dir "$data" > "$out/app.log" 2>&1 &
app=$!

# ---- first run: the administrator's account
waitwin "首次设置" 90
shot 01-first-run
geom "首次设置" first-run
typed "李秀兰"; key Tab                   # 您的姓名 (the cursor starts there)
typed "$PASSWORD"; key Tab; typed "$PASSWORD"; key Tab
# 本乡镇: province → city → county → township lists; typing narrows each (name, pinyin or initials), Enter picks
# it and moves on to the next list
typed "安徽"; act Return                   # 安徽省, by its name
typed "hefei"; act Return                 # 合肥市, by pinyin
typed "fxx"; act Return                   # 肥西县, by the pinyin initials
typed "sanhe"; act Return                 # 三河镇
shot 01b-first-run-township
key Return                                # 开始使用
waitwin "恢复密钥" 60
shot 02-recovery-key
geom "恢复密钥" recovery-key
key Tab space Return                      # 我已把恢复密钥抄在纸上 → 继续
gone "恢复密钥"
waitwin "^村访通"
shot 03-real-dashboard
geom "^村访通" real-dashboard

# ---- 练习模式 from the menu (Alt, → to 练习模式, ↓ Enter)
key alt; key Right Down Return
waitwin "练习模式" 120
shot 04-practice-dashboard
geom "练习模式" practice-dashboard
key ctrl+1 Right                          # the overdue list, 类别 column
typed "老"; key Return                    # type-ahead: the first overdue elder; Enter starts the visit
waitwin "填表" 30
shot 05-form-picker
geom "填表" form-picker
key Return                                # 探访关爱记录表 is offered first
gone "填表"
shot 06-visit-form
# the cursor is in the first open question (探访方式); name, ID, visitor and risk tier come from the person
key Down                                  # ↓ in a radio group chooses: 电话
key shift+Tab ctrl+a; typed "$VISIT_DAY"  # back to 探访日期, typed as people write it
key F4; shot 07-calendar; key Escape      # F4: the calendar, Esc closes it
key Return                                # Enter: on to the next question (探访方式, already 电话)
key Return Return                         # 探访人 (filled) → 探访人身份
key space Return                          # 村(居)干部
key Return Return Return                  # 老人姓名, 身份证号, 风险等级 (filled)
key space Return                          # 是否见到老人本人: 是
shot 08-visit-half
key space Return Return                   # 近期是否患病或就医: 无; 是否按时服药 left open
key space Return                          # 衣食住行医方面的困难: ☑ 无
key space Return space Return space Return  # 政策已落实; 子女每周联系; 赡养良好
key space Return space Return             # 服务需求: ☑ 无; 安全红线: ☑ 无
key Down Return                           # 近期是否发生重大变故: ↓ 否
shot 09-visit-more
key Tab Return                            # 发现的问题 (none: a multi-line box, Tab leaves it); 处置/转介 left open
typed "电话联系，老人说身体还好"; key Tab    # 处置情况说明, typed in Chinese
shot 10-visit-evidence
key Tab; typed "袁小军"; key Return          # 现场照片 passed by (Tab); the contact's name
key Down Return                           # 与老人关系: ↓ 子
typed "139 0000 5678"; key Return Return  # 手机号; 是否长期外出 left open
shot 11-visit-contact
typed "$NEXT_DAY"; key Tab                # 下次探访日期, typed
act ctrl+Return                           # 定稿: the form closes, the page says 已定稿
shot 12-finalized
xdotool search --onlyvisible --name "还不能定稿" >/dev/null 2>&1 && fail "还不能定稿"
act ctrl+4; shot 13-records
geom "练习模式" records
act ctrl+6
typed "探"                                # 导出内容: type-ahead to 探访关爱记录表
shot 14-export
geom "练习模式" export
key alt+e                                 # 导出…: the save dialog opens in 文档 with a dated name
waitwin "导出到" 30
shot 15-export-dialog
geom "导出到" export-dialog
key Return
gone "导出到"
for _ in $(seq 80); do ls "$HOME"/Documents/*.xlsx >/dev/null 2>&1 && break; sleep 0.25; done
shot 16-exported
act ctrl+2; shot 17-registry
geom "练习模式" registry
act ctrl+7; shot 18-settings
geom "练习模式" settings
act ctrl+1; shot 19-practice-dashboard-after
geom "练习模式" practice-dashboard-after

# ---- leave 练习模式 (Alt, the 练习模式 menu's first entry); sign in to the real store
key alt; key Down Return
waitwin "登录" 60
shot 20-sign-in
geom "登录" sign-in
typed "admin"; key Tab; typed "$PASSWORD"; key Return
gone "登录"
waitwin "李秀兰"
shot 21-real-dashboard-again               # the practice visit is not here: the real store stays empty
geom "李秀兰" real-dashboard-again
key alt+F4                                # close: the window state is remembered
for _ in $(seq 40); do kill -0 "$app" 2>/dev/null || break; sleep 0.25; done
kill "$app" 2>/dev/null && step "the app did not close on Alt+F4"
wait "$app" 2>/dev/null
rm -f "$out"/.*.png
step "done"
exit 0
