/* The little XML reading the S3 repository (core/repo_s3.c) does on the
 * servers' answers, apart from the asking so that it can be fuzzed
 * (tests/fuzz/s3_xml_fuzzer.c).  Not an XML parser: S3's answers are flat
 * enough to be read by tag. */
#ifndef DR_S3_XML_H
#define DR_S3_XML_H

/* The text between the first <tag> and the </tag> after it in xml (a
 * NUL-terminated string, may be NULL); malloc'd, NULL when there is none. */
char *s3_xml_value(const char *xml, const char *tag);
/* The text of an S3 error body's <Message>, else its <Code>, else "";
 * body may be NULL; always malloc'd. */
char *s3_xml_message(const char *body);

#endif
