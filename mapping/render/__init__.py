"""Rendering: turn scoped graphs and analysis results into pictures and pages.

Renderers never compute analyses and never fetch anything at run time: every script they
emit is inlined from packages installed on this machine. All text from data is escaped.
"""
