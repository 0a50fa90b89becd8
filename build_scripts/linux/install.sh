#!/bin/sh
# 村访通: add the program to this user's application menu (no root needed). Run it from the unpacked folder:
#   ./install.sh            add the menu entry and icon for the program in this folder
#   ./install.sh --remove   take them away again (your data in ~/.local/share/CunFang is never touched)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
apps="${XDG_DATA_HOME:-$HOME/.local/share}/applications"
icons="${XDG_DATA_HOME:-$HOME/.local/share}/icons/hicolor/256x256/apps"
if [ "${1:-}" = "--remove" ]; then
    rm -f "$apps/cunfang.desktop" "$icons/cunfang.png"
    echo "已从应用菜单移除村访通（数据保留在 ~/.local/share/CunFang）。"
    exit 0
fi
mkdir -p "$apps" "$icons"
cp "$here/cunfang.png" "$icons/cunfang.png"
sed "s|^Exec=.*|Exec=\"$here/cunfang\"|" "$here/cunfang.desktop" > "$apps/cunfang.desktop"
chmod 644 "$apps/cunfang.desktop"
command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database "$apps" >/dev/null 2>&1 || true
echo "已把村访通加入应用菜单：$apps/cunfang.desktop"
