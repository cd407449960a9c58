"""Turning an analysis into what people read: charts, HTML fragments, workbook, deck, PDF."""
