"""Spreadsheets for township staff: 台账 that open right in Excel, WPS and LibreOffice, and rosters coming in.

Export:

- ``records.export_records``: a form's records, one sheet per form and per repeat, plus a 说明 sheet
  (columns from the form: ``layout``; typed, masked cells: ``cells``);
- ``ledgers.export_ledger``: the 台账 layouts the bureau asks for, from templates in ``resources/ledgers``
  (``ledgers.write_ledger`` writes them from a row source: the laptop's store, or the bureau server's
  tables for its web console, ``sync/server/ledgers.py``);
- ``plain``: the bureau server's export (``write_workbook``) and the house-number plate list;
- ``sinks``: the writers (xlsxwriter in constant-memory mode, or CSV): rows stream, a cancel event stops them,
  and a cancelled or failed export never leaves half a file;
- ``cli``: ``cunfang export``.

Import: ``importer`` reads a roster (.xlsx/.xls/.csv), matches its columns, reports each row and writes the accepted
ones as one import that can be undone; ``import_cli``: ``cunfang import``.
"""
