#!/usr/bin/env python3
"""Check a report.html: every element closed in order (void elements aside), no <script>,
nothing fetched from the network (src/href/url() to http(s) or //). Prints the first
problem and exits 1; exits 0 and prints the element count when clean."""
import re
import sys
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}
REMOTE = re.compile(r"^\s*(https?:|//)", re.I)


class Checker(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.problems, self.count = [], [], 0

    def handle_starttag(self, tag, attrs):
        self.count += 1
        if tag == "script":
            self.problems.append("a <script> element")
        for name, value in attrs:
            if name in ("src", "href", "xlink:href", "action") and value and REMOTE.match(value):
                self.problems.append(f"<{tag} {name}={value}> reaches the network")
        if tag not in VOID:
            self.stack.append((tag, self.getpos()))

    def handle_startendtag(self, tag, attrs):
        self.count += 1
        for name, value in attrs:
            if name in ("src", "href", "xlink:href") and value and REMOTE.match(value):
                self.problems.append(f"<{tag} {name}={value}> reaches the network")

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1][0] != tag:
            where = self.getpos()
            top = self.stack[-1][0] if self.stack else "nothing"
            self.problems.append(f"</{tag}> at line {where[0]} closes {top}")
            return
        self.stack.pop()


def main(path):
    text = open(path, encoding="utf-8").read()
    if not text.lstrip().lower().startswith("<!doctype html>"):
        print(f"{path}: no <!DOCTYPE html>")
        return 1
    if re.search(r"url\(\s*['\"]?(https?:|//)", text, re.I) or re.search(r"@import", text):
        print(f"{path}: a style fetches from the network")
        return 1
    c = Checker()
    c.feed(text)
    c.close()
    if c.stack:
        c.problems.append(f"<{c.stack[-1][0]}> from line {c.stack[-1][1][0]} never closed")
    if c.problems:
        print(f"{path}: {c.problems[0]} ({len(c.problems)} problem(s))")
        return 1
    print(f"{path}: {c.count} elements, well-formed and self-contained")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
