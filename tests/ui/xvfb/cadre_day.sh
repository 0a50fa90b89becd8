#!/bin/bash
# A cadre's day on a 1366x768 laptop screen, by keyboard only (xdotool): first run → 练习模式 → 工作台 → 填表 →
# a visit for a person picked by ID tail → ↓ chooses in a radio group → the visit date typed 2026/12/1 → F4 calendar →
# 设置/台账/记录/导出 → 工作台, with a screenshot at each step and the window geometry in geometry.txt. Run it on
# the shared laptop screen at 100 % and 125 %:
#   laptop-screen [--scale 1.25] -- tests/ui/xvfb/cadre_day.sh OUT_DIR DATA_DIR   (PYTHON=.venv/bin/python)
out=$(realpath -m "$1"); data=$(realpath -m "$2")
mkdir -p "$out"; rm -rf "$data"
combo() { xdotool keydown "$1"; sleep 0.05; xdotool key --delay 150 "$2"; sleep 0.05; xdotool keyup "$1"; }
shot() { sleep "${2:-1.5}"; import -window root "$out/$1.png"; }
geom() { id=$(xdotool search --name "$1" | tail -1); echo "$3 $(xdotool getwindowgeometry "$id" | tr '\n' ' ')" >> "$out/geometry.txt"; }
cd "$(dirname "$0")/../../.."
export PYTHONPATH="$PWD" XDG_CONFIG_HOME="$out/config"  # never the user's own settings
"${PYTHON:-python3}" -m ui.entry --data-dir "$data" > "$out/app.log" 2>&1 &
app=$!
for i in $(seq 60); do xdotool search --name "首次设置" >/dev/null 2>&1 && break; sleep 0.5; done
shot 01-first-run 2
geom "首次设置" x first-run
xdotool key --delay 150 alt+p                      # 先练习一下（练习模式）
for i in $(seq 60); do xdotool search --name "练习模式" >/dev/null 2>&1 && break; sleep 0.5; done
shot 02-practice-dashboard 3
xdotool search --name "练习模式" windowactivate --sync 2>/dev/null; sleep 0.5
geom "练习模式" x dashboard
combo Control_L 3; shot 03-fill-list
xdotool key --delay 150 Down Down Down Return      # 探访关爱记录表
waitfor() { for i in $(seq 60); do xdotool search --name "$1" >/dev/null 2>&1 && return; sleep 0.5; done; }
gone() { for i in $(seq 60); do xdotool search --name "$1" >/dev/null 2>&1 || return; sleep 0.5; done; }
waitfor "探访谁"; sleep 1
shot 04-person-picker
xdotool type --delay 120 "1"; sleep 1   # an ID number ending: the picker lists who matches
xdotool key --delay 150 Return
gone "探访谁"
shot 05-visit-form 3
# the cursor is in the first open question; go to the visit date and type it several ways
xdotool key --delay 150 Down          # ↓ in the radio group chooses 电话 (arrows choose, as on Windows)
combo Shift_L Tab                      # back to 探访日期
combo Control_L a; xdotool type --delay 80 "2026/12/1"; xdotool key --delay 150 Tab
shot 06-date-typed
combo Shift_L Tab; xdotool key --delay 150 F4; shot 07-calendar
xdotool key --delay 150 Escape
combo Control_L 7; shot 08-settings
geom "练习模式" x settings
combo Control_L 2; shot 09-registry
combo Control_L 4; shot 10-records
combo Control_L 6; shot 11-export
combo Control_L 1; shot 12-dashboard-again
geom "练习模式" x end
combo Alt_L F4                          # close: drafts are kept, the window state remembered
for i in $(seq 20); do kill -0 $app 2>/dev/null || break; sleep 0.5; done
kill $app 2>/dev/null; wait $app 2>/dev/null
exit 0
