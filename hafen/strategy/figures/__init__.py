"""Figures measured from the live system (DESIGN part 6), for leadership.

Everything here counts: no message text, no pseudonym, no name of a client ever leaves
these functions, and every count below ``suppression.MIN_COUNT`` is suppressed before it
reaches a page, a CSV file or the annual report.

- ``period``: the months asked for and the organisation, facility or team (checked);
- ``suppression``: cells, the small-number rule, tables;
- ``compute``: one plain function per figure, over a period and a scope;
- ``charts``: small SVG bar charts drawn on the server;
- ``export``: tables as CSV, safe to open in a spreadsheet.
"""
