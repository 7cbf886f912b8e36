#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# Man pages (section 3) from alba's kernel-doc comments: one page per
# function of the API, named after it, with its prototype, parameters,
# description, context and return value as the comment has them. Reads
# the kernel-doc subset alba writes (the form scripts/kernel-doc checks in
# make lint); kernel-only functions are left out.
#
#   scripts/man.py VERSION OUTDIR FILE...
import os
import re
import sys


def userspace_lines(text):
    """alba.h without its #ifdef __KERNEL__ parts (as scripts/api.sh reads it)."""
    stack, out = [], []
    for line in text.split("\n"):
        if line.startswith("#if"):
            stack.append("k" if line.startswith("#ifdef __KERNEL__") else
                         "u" if line.startswith("#ifndef __KERNEL__") else "-")
        elif line.startswith("#else") and stack:
            stack[-1] = {"k": "u", "u": "k"}.get(stack[-1], "-")
        elif line.startswith("#endif") and stack:
            stack.pop()
        elif "k" not in stack:
            out.append(line)
    return "\n".join(out)


def api_names(header):
    """The userspace functions alba.h declares (and the inline ones it defines)."""
    text = userspace_lines(open(header).read())
    return set(re.findall(r"^(?:static inline )?[a-z][^;{(]*?\b(alba_[a-z0-9_]+)\(",
                          text, re.M))


def comments(path):
    """(name, comment lines, prototype) for each kernel-doc function."""
    text = open(path).read()
    for m in re.finditer(r"/\*\*\n((?:(?!\*/).)*?)\*/\n((?:(?!/\*\*)[^;])*?)\n\{",
                         text, re.S):
        body = [re.sub(r"^ \* ?", "", l) for l in m.group(1).split("\n")]
        head = re.match(r"([a-z_0-9]+)\(\) - (.*)", body[0])
        if not head:
            continue
        # "void *(name)(...)": a library function a macro of alba.h shadows.
        proto = " ".join(m.group(2).split()).replace(f"({head.group(1)})", head.group(1))
        yield head.group(1), head.group(2), body[1:], proto


def roff(s):
    s = s.replace("\\", "\\\\")
    s = re.sub(r"@([a-z_0-9]+)", r"\\fI\1\\fR", s)
    s = re.sub(r"\b([a-z_0-9]+)\(\)", r"\\fB\1\\fR()", s)
    return s if not s.startswith((".", "'")) else "\\&" + s


def page(name, summary, body, proto, version):
    params, text, section = [], [], None
    sections = {}
    for line in body:
        m = re.match(r"@([a-z_0-9]+|\.\.\.): (.*)", line)
        if m and section is None:
            params.append([m.group(1), m.group(2)])
            continue
        if params and section is None and line.startswith((" ", "\t")) and line.strip():
            params[-1][1] += " " + line.strip()
            continue
        m = re.match(r"(Context|Return): (.*)", line)
        if m:
            section = m.group(1)
            sections[section] = [m.group(2)]
            continue
        if section:
            sections[section].append(line)
        else:
            text.append(line)
    out = [f'.TH {name} 3 "" "alba {version}" "alba"',
           ".SH NAME", f"{name} \\- {roff(summary)}",
           ".SH SYNOPSIS", ".nf", "\\fB#include <alba.h>\\fR", "",
           f"\\fB{proto.replace(chr(92), chr(92) * 2)};\\fR", ".fi"]
    if params:
        out.append(".SH ARGUMENTS")
        for p, d in params:
            out += [".TP", f"\\fI{p}\\fR", roff(d)]
    paras = "\n".join(text).strip().split("\n\n")
    if paras and paras[0]:
        out.append(".SH DESCRIPTION")
        for p in paras:
            out += [".PP", roff(" ".join(l.strip() for l in p.split("\n")))]
    for sec, title in (("Context", "CONTEXT"), ("Return", "RETURN VALUE")):
        if sec in sections:
            out += [f".SH {title}",
                    roff(" ".join(l.strip() for l in sections[sec]).strip())]
    out += [".SH SEE ALSO", "\\fBalba_create\\fR(3), \\fBalba_alloc\\fR(3),"
            " and DESIGN.md of the alba sources"]
    return "\n".join(out) + "\n"


def main():
    version, outdir, files = sys.argv[1], sys.argv[2], sys.argv[3:]
    header = next(f for f in files if f.endswith("alba.h"))
    names = api_names(header)
    os.makedirs(outdir, exist_ok=True)
    done = set()
    for path in files:
        for name, summary, body, proto in comments(path):
            if name in names and name not in done:
                with open(os.path.join(outdir, name + ".3"), "w") as f:
                    f.write(page(name, summary, body, proto, version))
                done.add(name)
    missing = sorted(names - done)
    if missing:
        sys.exit("man.py: no kernel-doc for " + ", ".join(missing))


if __name__ == "__main__":
    main()
