#ifndef CCLAIMSCRUBXML_H
#define CCLAIMSCRUBXML_H

/*
 * A thin C face over libxml2's streaming reader (xmlTextReader).
 *
 * libxml2's headers are included by shim.c only: importing them into a Swift
 * module next to Foundation breaks on this platform (ICU's UErrorCode is seen
 * twice), so Swift sees an opaque handle and plain functions (STYLE.md).
 * Strings returned as `const char *` belong to the reader and stay valid only
 * until the next call of CClaimscrubXML_step or CClaimscrubXML_close.
 */

/* An opaque reader handle; used by one thread at a time. */
typedef struct CClaimscrubXMLReader CClaimscrubXMLReader;

/* Fills `buffer` with up to `length` bytes; returns the count, 0 at the end, -1 on failure. */
typedef int (*CClaimscrubXMLReadFunction)(void *context, char *buffer, int length);

/* Node types, as libxml2's xmlReaderTypes numbers them. */
enum {
    CClaimscrubXML_element = 1,
    CClaimscrubXML_text = 3,
    CClaimscrubXML_cdata = 4,
    CClaimscrubXML_entityReference = 5,
    CClaimscrubXML_documentType = 10,
    CClaimscrubXML_significantWhitespace = 14,
    CClaimscrubXML_endElement = 15
};

/* The element names of pyx12's XML, as CClaimscrubXML_step tells them apart. */
enum {
    CClaimscrubXML_nameOther = 0,
    CClaimscrubXML_nameLoop = 1,
    CClaimscrubXML_nameSegment = 2,
    CClaimscrubXML_nameElement = 3,
    CClaimscrubXML_nameComposite = 4,
    CClaimscrubXML_nameSubelement = 5
};

/* What CClaimscrubXML_step reports of a node; `id` as the strings above. */
typedef struct {
    int type;
    int depth;
    /* 1 when the element is written `<x/>` (no end-element node follows). */
    int isEmptyElement;
    /* Elements: CClaimscrubXML_name*. */
    int nameKind;
    /* Elements of a known kind: the `id` attribute, or NULL. */
    const char *id;
    /* Elements, document types and entity references: the line where the node starts. */
    long line;
} CClaimscrubXMLNode;

/* Why the reader refused the input itself (before libxml2 could process it). */
enum {
    CClaimscrubXML_refusedNothing = 0,
    CClaimscrubXML_refusedDocumentType = 1
};

/* Initialises libxml2 once; safe to call from any thread, any number of times. */
void CClaimscrubXML_initialize(void);

/*
 * Opens a reader over bytes that `read` delivers; `url` names the input in
 * libxml2's messages. Parses with XML_PARSE_NONET | XML_PARSE_BIG_LINES only:
 * no entity substitution, no DTD loading, no size limits lifted. Returns NULL
 * only when memory runs out.
 */
CClaimscrubXMLReader *CClaimscrubXML_open(CClaimscrubXMLReadFunction read, void *context, const char *url);

/* Frees the reader; NULL is allowed. */
void CClaimscrubXML_close(CClaimscrubXMLReader *reader);

/*
 * Moves to the next node the claim reader acts on and describes it in `node`: returns 1
 * when there is one, 0 at the end, -1 on an error. Comments, processing instructions and
 * whitespace-only text (xml:space="default") are passed over here, and so are all other
 * text nodes unless
 * `wantText` is set or the text is longer than `maximumText` bytes: most text in pyx12's
 * XML is the indentation between elements, and classifying it is most of libxml2's
 * node-type work. One call per node also saves the several calls per element.
 */
int CClaimscrubXML_step(CClaimscrubXMLReader *reader, int wantText, long maximumText, CClaimscrubXMLNode *node);

/* The current text node's value (entities and character references decoded), or NULL. */
const char *CClaimscrubXML_value(CClaimscrubXMLReader *reader);
/* Line where the current node starts (an element: its start tag), 0 when unknown. */
long CClaimscrubXML_nodeLine(CClaimscrubXMLReader *reader);

/* The error that stopped the parse (the first fatal one, else the last), or NULL; and its line. */
const char *CClaimscrubXML_lastError(CClaimscrubXMLReader *reader);
long CClaimscrubXML_lastErrorLine(CClaimscrubXMLReader *reader);

/* Whether the input was refused before parsing (CClaimscrubXML_refused*), and the line. */
int CClaimscrubXML_refusal(CClaimscrubXMLReader *reader);
long CClaimscrubXML_refusalLine(CClaimscrubXMLReader *reader);

#endif
