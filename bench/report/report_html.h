/* report.html: one self-contained page (no network, no JavaScript) made of a Markdown file
 * of ours (summary.md or compare.md) and the SVG plots inline. The page opens with the text
 * up to the end of the Markdown's first table (the headline), then the plots, then the rest
 * folded in <details>. */
#ifndef SPAWNSCOPE_REPORT_HTML_H
#define SPAWNSCOPE_REPORT_HTML_H

#include <stddef.h>

/* Write DIR/report.html atomically from DIR/md_name and the SVG files svgs[] (paths relative
 * to dir; missing ones are named in the page). 0 or -errno. */
int report_html_write(const char *dir, const char *title, const char *md_name,
		      const char *const *svgs, size_t n_svgs);

#endif
