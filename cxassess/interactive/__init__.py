"""Widgets for people in Jupyter: questionnaire capture, the what-if explorer, the workshop app."""
