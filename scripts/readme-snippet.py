#!/usr/bin/env python3
"""Prints the README's code blocks of one language that are marked as compiled: each block
follows a line `<!-- compiled by ... -->`. Used by the app tests so the README cannot drift.

    scripts/readme-snippet.py kotlin|swift [README.md]
"""
import re
import sys

lang = sys.argv[1]
path = sys.argv[2] if len(sys.argv) > 2 else "README.md"
text = open(path, encoding="utf-8").read()
blocks = re.findall(r"<!-- compiled by [^>]*-->\n```" + re.escape(lang) + r"\n(.*?)```", text, re.S)
if not blocks:
    sys.exit(f"no compiled {lang} block in {path}")
print("\n".join(blocks))
