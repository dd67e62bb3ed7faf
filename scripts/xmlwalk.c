/* The XML reference for scripts/bench: libxml2's streaming xmlTextReader
 * visiting every node and touching its name and value, with the same parser
 * options claimscrub uses (no network, line numbers past 65535). claimscrub's
 * XML MB/s is reported as a ratio of this walk, which does no scrubbing. */
#include <stdio.h>
#include <string.h>

#include <libxml/xmlreader.h>

int main(int argc, char **argv) {
    int attrs = 0;
    const char *path = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--attributes") == 0) attrs = 1;
        else path = argv[i];
    }
    if (path == NULL) {
        fprintf(stderr, "usage: xmlwalk [--attributes] FILE\n");
        return 64;
    }
    LIBXML_TEST_VERSION
    xmlTextReaderPtr reader = xmlReaderForFile(path, NULL, XML_PARSE_NONET | XML_PARSE_BIG_LINES);
    if (reader == NULL) {
        fprintf(stderr, "%s: cannot open\n", path);
        return 66;
    }
    /* The sums keep the compiler from dropping the calls whose cost we measure. */
    unsigned long long nodes = 0, touched = 0;
    int rc;
    while ((rc = xmlTextReaderRead(reader)) == 1) {
        nodes++;
        const xmlChar *name = xmlTextReaderConstName(reader);
        const xmlChar *value = xmlTextReaderConstValue(reader);
        if (name != NULL) touched += (unsigned long long)xmlStrlen(name);
        if (value != NULL) touched += (unsigned long long)xmlStrlen(value);
        if (attrs && xmlTextReaderHasAttributes(reader) == 1) {
            while (xmlTextReaderMoveToNextAttribute(reader) == 1) {
                const xmlChar *v = xmlTextReaderConstValue(reader);
                if (v != NULL) touched += (unsigned long long)xmlStrlen(v);
            }
            xmlTextReaderMoveToElement(reader);
        }
    }
    xmlFreeTextReader(reader);
    xmlCleanupParser();
    if (rc != 0) {
        fprintf(stderr, "%s: parse error\n", path);
        return 65;
    }
    printf("%llu nodes %llu bytes touched\n", nodes, touched);
    return 0;
}
