<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<!-- Labels of Qt's own dialogs that the qtbase_zh_CN.qm shipped with PySide6 misses: Qt 6 gave the file dialog's
     labels accelerators (&Look in:) and that catalogue still has the old strings, so the dialog said "Look in:".
     Written by hand; resources/translations/update.py compiles it to qt_gaps_zh_CN.qm, which ui/app_main.py loads
     after qtbase (so it is asked first). -->
<TS version="2.1" language="zh_CN" sourcelanguage="en">
<context>
    <name>QFileDialog</name>
    <message>
        <source>&amp;Look in:</source>
        <translation>查找范围(&amp;L)：</translation>
    </message>
    <message>
        <source>Files of &amp;type:</source>
        <translation>文件类型(&amp;T)：</translation>
    </message>
</context>
</TS>
