/*
 * compare_table.h - the figures of several replay summaries side by side,
 * with the change against the first in percent, as mmtests'
 * compare-kernels prints benchmark results. A pure function of the
 * comparison document that `mmsim compare --format json` writes, so a saved
 * document can be rendered again in another format (`compare --from`).
 */
#ifndef SIM_COMPARE_TABLE_H
#define SIM_COMPARE_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

enum compare_format {
	COMPARE_TEXT,		/* aligned columns for a terminal */
	COMPARE_MARKDOWN,	/* a GitHub-flavoured table */
	COMPARE_CSV,		/* RFC 4180, one value per cell */
	COMPARE_JSON,		/* the document itself */
};

struct compare_out {
	enum compare_format format;
	bool all_vmstat;	/* add a row for every vmstat counter */
	const char *trace;	/* named in text/markdown headings; may be NULL */
};

/** "text", "markdown" (or "md"), "csv", "json" to the enum; -1 if unknown. */
int compare_format_parse(const char *name, enum compare_format *out);
/**
 * Checks that doc is {"configs": [{"name": STRING, "summary": OBJECT} or
 * {"name": STRING, "error": STRING}, ...]}. Returns 0, or -1 with the JSON
 * path and what was found in err.
 */
int compare_doc_check(const json_t *doc, char *err, size_t errlen);
/**
 * Writes doc (already checked) to f. The first config with a summary is
 * the baseline of the percent changes; a figure a summary lacks is "-", a
 * row no summary has is left out, and configs with an error are listed
 * under the table (text, markdown) or only in the document (json). Returns
 * 0, or -1 if writing failed (errno set).
 */
int compare_table_write(FILE *f, const json_t *doc,
			const struct compare_out *out);

#endif
