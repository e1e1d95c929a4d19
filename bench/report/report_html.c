/* report.html from a Markdown file of ours and SVG plots (see report_html.h). The Markdown
 * is the subset spawnscope writes: # headings, "- " lists, "> " quotes, | tables |,
 * paragraphs, `code` and **bold**. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_html.h"
#include "bench/core/results.h"

struct page {
	const char *dir, *title, *md_name;
	const char *const *svgs;
	size_t n_svgs;
	char *md; /* the whole Markdown file */
};

static void esc(FILE *f, const char *s, size_t n)
{
	for (size_t i = 0; i < n && s[i]; i++) {
		switch (s[i]) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		default:
			fputc(s[i], f);
		}
	}
}

/* one line of text with `code` and **bold** */
static void inline_md(FILE *f, const char *s, size_t n)
{
	bool code = false, bold = false;

	for (size_t i = 0; i < n; i++) {
		if (s[i] == '`') {
			fputs(code ? "</code>" : "<code>", f);
			code = !code;
		} else if (!code && s[i] == '*' && i + 1 < n && s[i + 1] == '*') {
			fputs(bold ? "</b>" : "<b>", f);
			bold = !bold;
			i++;
		} else if (s[i] == '\\' && i + 1 < n && s[i + 1] == '|') {
			fputc('|', f);
			i++;
		} else {
			esc(f, s + i, 1);
		}
	}
	if (code)
		fputs("</code>", f);
	if (bold)
		fputs("</b>", f);
}

/* the cells of "| a | b |" (an escaped \| stays inside its cell) */
static void table_row(FILE *f, const char *line, size_t n, bool head)
{
	size_t i = 0, start;

	fputs("<tr>", f);
	if (i < n && line[i] == '|')
		i++;
	while (i < n) {
		start = i;
		while (i < n && !(line[i] == '|' && line[i - 1] != '\\'))
			i++;
		if (i >= n && start == i)
			break;
		while (start < i && line[start] == ' ')
			start++;
		{
			size_t end = i;
			while (end > start && line[end - 1] == ' ')
				end--;
			fputs(head ? "<th>" : "<td>", f);
			inline_md(f, line + start, end - start);
			fputs(head ? "</th>" : "</td>", f);
		}
		i++;
	}
	fputs("</tr>\n", f);
}

enum block { B_NONE, B_PARA, B_LIST, B_TABLE, B_QUOTE };

static void close_block(FILE *f, enum block *b)
{
	static const char *const end[] = {"", "</p>\n", "</ul>\n", "</tbody></table>\n",
					  "</blockquote>\n"};
	fputs(end[*b], f);
	*b = B_NONE;
}

/* Markdown lines [from, to) as HTML; *first_table_end is set to the end of the first table */
static void md_html(FILE *f, const char *from, const char *to, const char **first_table_end)
{
	enum block b = B_NONE;
	bool head_row = false;

	for (const char *line = from; line < to;) {
		const char *nl = memchr(line, '\n', (size_t)(to - line));
		size_t n = nl ? (size_t)(nl - line) : (size_t)(to - line);
		const char *next = nl ? nl + 1 : to;

		if (n == 0) {
			bool was_table = b == B_TABLE;
			close_block(f, &b);
			if (was_table && first_table_end && !*first_table_end) {
				*first_table_end = next;
				return;
			}
		} else if (line[0] == '#') {
			size_t lv = 0;
			close_block(f, &b);
			while (lv < n && line[lv] == '#')
				lv++;
			fprintf(f, "<h%zu>", lv > 4 ? 4 : lv);
			inline_md(f, line + lv + (lv < n), n - lv - (lv < n));
			fprintf(f, "</h%zu>\n", lv > 4 ? 4 : lv);
		} else if (line[0] == '|') {
			if (b != B_TABLE) {
				close_block(f, &b);
				fputs("<table>\n<thead>", f);
				b = B_TABLE;
				head_row = true;
			}
			if (strspn(line, "|-: ") >= n) {
				fputs("</thead><tbody>\n", f); /* the separator row */
				head_row = false;
			} else {
				table_row(f, line, n, head_row);
			}
		} else if (n > 1 && line[0] == '-' && line[1] == ' ') {
			if (b != B_LIST) {
				close_block(f, &b);
				fputs("<ul>\n", f);
				b = B_LIST;
			}
			fputs("<li>", f);
			inline_md(f, line + 2, n - 2);
			fputs("</li>\n", f);
		} else if (line[0] == '>') {
			if (b != B_QUOTE) {
				close_block(f, &b);
				fputs("<blockquote>", f);
				b = B_QUOTE;
			}
			inline_md(f, line + 1, n - 1);
			fputc('\n', f);
		} else {
			if (b != B_PARA) {
				close_block(f, &b);
				fputs("<p>", f);
				b = B_PARA;
			}
			inline_md(f, line, n);
			fputc('\n', f);
		}
		line = next;
	}
	if (b == B_TABLE && first_table_end && !*first_table_end)
		*first_table_end = to;
	close_block(f, &b);
}

/* An SVG inline: from its <svg> element on, with every id prefixed (fN-) so that two plots
 * in one page cannot resolve each other's clip paths and gradients. */
static void inline_svg(FILE *f, const char *dir, const char *rel, size_t idx)
{
	char path[PATH_MAX + 64], pre[32];
	char *buf = NULL, *s;
	size_t len = 0;
	FILE *in;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	snprintf(pre, sizeof(pre), "f%zu-", idx);
	fputs("<figure>\n", f);
	in = fopen(path, "r");
	if (!in || getdelim(&buf, &len, '\0', in) < 0 || !(s = strstr(buf, "<svg"))) {
		fputs("<p>(plot missing: ", f);
		esc(f, rel, strlen(rel));
		fputs(")</p>\n", f);
	} else {
		static const char *const refs[] = {" id=\"", "url(#", "href=\"#"};
		while (*s) {
			size_t hit = 0, best = strlen(s);
			for (size_t r = 0; r < 3; r++) {
				char *p = strstr(s, refs[r]);
				if (p && (size_t)(p - s) < best) {
					best = (size_t)(p - s);
					hit = r + 1;
				}
			}
			fwrite(s, 1, best, f);
			s += best;
			if (!hit)
				break;
			fputs(refs[hit - 1], f);
			fputs(pre, f);
			s += strlen(refs[hit - 1]);
		}
	}
	fputs("<figcaption>", f);
	esc(f, rel, strlen(rel));
	fputs(" (PNG beside it)</figcaption>\n</figure>\n", f);
	if (in)
		fclose(in);
	free(buf);
}

static const char style[] =
    "body{font-family:sans-serif;max-width:1400px;margin:1em auto;padding:0 1em;color:#222}"
    "table{border-collapse:collapse;margin:0.5em 0;font-size:0.9em}"
    "th,td{border:1px solid #bbb;padding:2px 6px;text-align:right}"
    "th:first-child,td:first-child{text-align:left}th{background:#eee}"
    "figure{margin:1em 0}figure svg{max-width:100%;height:auto}"
    "figcaption{font-size:0.8em;color:#555}code{background:#f3f3f3}"
    "details{margin-top:1em}summary{cursor:pointer;font-weight:bold}";

static int fill_page(FILE *f, void *arg)
{
	const struct page *p = arg;
	const char *end = p->md + strlen(p->md), *split = NULL;

	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>", f);
	esc(f, p->title, strlen(p->title));
	fprintf(f, "</title>\n<style>%s</style>\n</head>\n<body>\n", style);
	md_html(f, p->md, end, &split);
	if (!split)
		split = end;
	for (size_t i = 0; i < p->n_svgs; i++)
		inline_svg(f, p->dir, p->svgs[i], i + 1);
	if (split < end) {
		fputs("<details>\n<summary>Details: the rest of ", f);
		esc(f, p->md_name, strlen(p->md_name));
		fputs("</summary>\n", f);
		md_html(f, split, end, NULL);
		fputs("</details>\n", f);
	}
	fputs("</body>\n</html>\n", f);
	return ferror(f) ? -EIO : 0;
}

int report_html_write(const char *dir, const char *title, const char *md_name,
		      const char *const *svgs, size_t n_svgs)
{
	struct page p = {dir, title, md_name, svgs, n_svgs, NULL};
	char path[PATH_MAX + 64];
	size_t len = 0;
	FILE *in;
	int rc;

	snprintf(path, sizeof(path), "%s/%s", dir, md_name);
	if (!(in = fopen(path, "r")))
		return -errno;
	if (getdelim(&p.md, &len, '\0', in) < 0) {
		rc = ferror(in) ? -EIO : 0;
		fclose(in);
		free(p.md);
		if (rc)
			return rc;
		p.md = strdup("");
		if (!p.md)
			return -ENOMEM;
	} else {
		fclose(in);
	}
	snprintf(path, sizeof(path), "%s/report.html", dir);
	rc = atomic_write(path, fill_page, &p);
	free(p.md);
	return rc;
}
