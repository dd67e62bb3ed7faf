#include "CClaimscrubXML.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlreader.h>

/*
 * The prolog guard: before the root element the caller's bytes are watched for
 * `<!DOCTYPE`, and the input is refused there, so that libxml2 never sees a
 * document type declaration at all (no internal subset is parsed, no entity is
 * declared, let alone expanded). Comments and processing instructions in the
 * prolog are skipped so their text cannot trigger it. NUL bytes are ignored so
 * that UTF-16 and UCS-4 prologs are recognised too. The reader's own
 * DOCUMENT_TYPE node check (in Swift) stays as a second line of defence.
 */
enum PrologState {
    prologText,
    prologAngle,
    prologBang,
    prologInstruction,
    prologInstructionQuestion,
    prologComment,
    prologDone
};

struct CClaimscrubXMLReader {
    xmlTextReaderPtr reader;
    CClaimscrubXMLReadFunction read;
    void *context;

    enum PrologState prolog;
    char bang[8];
    int bangLength;
    int commentDashes;
    long prologLine;
    long angleLine;

    int refusal;
    long refusalLine;

    char *firstFatal;
    long firstFatalLine;
    char *lastError;
    long lastErrorLine;
};

static pthread_once_t initializeOnce = PTHREAD_ONCE_INIT;

static void initializeParser(void) {
    xmlInitParser();
}

void CClaimscrubXML_initialize(void) {
    pthread_once(&initializeOnce, initializeParser);
}

static int isPrefix(const char *candidate, const char *text, int length) {
    return (int)strlen(candidate) >= length && memcmp(candidate, text, (size_t)length) == 0;
}

/* Returns 0 to go on, 1 when the bytes hold a document type declaration. */
static int scanProlog(CClaimscrubXMLReader *r, const char *buffer, int count) {
    for (int i = 0; i < count && r->prolog != prologDone; i++) {
        char byte = buffer[i];
        if (byte == '\0') continue;
        if (byte == '\n') r->prologLine++;
        switch (r->prolog) {
        case prologText:
            if (byte == '<') {
                r->prolog = prologAngle;
                r->angleLine = r->prologLine;
            }
            break;
        case prologAngle:
            if (byte == '?') {
                r->prolog = prologInstruction;
            } else if (byte == '!') {
                r->prolog = prologBang;
                r->bangLength = 0;
            } else {
                r->prolog = prologDone;
            }
            break;
        case prologBang:
            r->bang[r->bangLength++] = byte;
            if (isPrefix("--", r->bang, r->bangLength)) {
                if (r->bangLength == 2) {
                    r->prolog = prologComment;
                    r->commentDashes = 0;
                }
            } else if (isPrefix("DOCTYPE", r->bang, r->bangLength)) {
                if (r->bangLength == 7) {
                    r->refusal = CClaimscrubXML_refusedDocumentType;
                    r->refusalLine = r->angleLine;
                    return 1;
                }
            } else {
                /* Not well-formed here; libxml2 says so. */
                r->prolog = prologDone;
            }
            break;
        case prologInstruction:
            if (byte == '?') r->prolog = prologInstructionQuestion;
            break;
        case prologInstructionQuestion:
            if (byte == '>') r->prolog = prologText;
            else if (byte != '?') r->prolog = prologInstruction;
            break;
        case prologComment:
            if (byte == '-') {
                r->commentDashes++;
            } else {
                if (byte == '>' && r->commentDashes >= 2) r->prolog = prologText;
                r->commentDashes = 0;
            }
            break;
        case prologDone:
            break;
        }
    }
    return 0;
}

static int readCallback(void *context, char *buffer, int length) {
    CClaimscrubXMLReader *r = context;
    if (r->refusal != CClaimscrubXML_refusedNothing) return -1;
    int count = r->read(r->context, buffer, length);
    if (count <= 0) return count;
    if (r->prolog != prologDone && scanProlog(r, buffer, count)) return -1;
    return count;
}

static char *copyMessage(const char *message) {
    if (message == NULL) message = "unknown error";
    size_t length = strlen(message);
    while (length > 0 && (message[length - 1] == '\n' || message[length - 1] == ' ')) length--;
    char *copy = malloc(length + 1);
    if (copy == NULL) return NULL;
    memcpy(copy, message, length);
    copy[length] = '\0';
    return copy;
}

/* Per-reader structured handler: libxml2's generic one is variadic and global. */
static void errorHandler(void *userData, xmlErrorPtr error) {
    CClaimscrubXMLReader *r = userData;
    if (error == NULL || error->level < XML_ERR_ERROR) return;
    long line = error->line;
    if (error->level == XML_ERR_FATAL && r->firstFatal == NULL) {
        r->firstFatal = copyMessage(error->message);
        r->firstFatalLine = line;
    }
    free(r->lastError);
    r->lastError = copyMessage(error->message);
    r->lastErrorLine = line;
}

CClaimscrubXMLReader *CClaimscrubXML_open(CClaimscrubXMLReadFunction read, void *context, const char *url) {
    CClaimscrubXML_initialize();
    CClaimscrubXMLReader *r = calloc(1, sizeof(CClaimscrubXMLReader));
    if (r == NULL) return NULL;
    r->read = read;
    r->context = context;
    r->prolog = prologText;
    r->prologLine = 1;
    /* Never XML_PARSE_NOENT, XML_PARSE_DTDLOAD or XML_PARSE_HUGE (quality.md, Security). */
    r->reader = xmlReaderForIO(readCallback, NULL, r, url, NULL, XML_PARSE_NONET | XML_PARSE_BIG_LINES);
    if (r->reader == NULL) {
        free(r);
        return NULL;
    }
    xmlTextReaderSetStructuredErrorHandler(r->reader, errorHandler, r);
    return r;
}

void CClaimscrubXML_close(CClaimscrubXMLReader *r) {
    if (r == NULL) return;
    xmlFreeTextReader(r->reader);
    free(r->firstFatal);
    free(r->lastError);
    free(r);
}

/* Moves to the next node: 1 when there is one, 0 at the end, -1 on an error. */
static int advance(CClaimscrubXMLReader *r) {
    if (r->refusal != CClaimscrubXML_refusedNothing) return -1;
    int result = xmlTextReaderRead(r->reader);
    if (r->refusal != CClaimscrubXML_refusedNothing) return -1;
    return result;
}

/* The name is `text` exactly; compared inline, as every element start asks (up to five
   strcmp calls per element were 3% of the XML reading thread). */
static inline int nameIs(const xmlChar *name, const char *text, int length) {
    for (int i = 0; i < length; i++) {
        if (name[i] != (xmlChar)text[i]) return 0;
    }
    return name[length] == 0;
}

static int nameKind(const xmlChar *name) {
    if (name == NULL) return CClaimscrubXML_nameOther;
    switch (name[0]) {
    case 'e':
        if (nameIs(name, "ele", 3)) return CClaimscrubXML_nameElement;
        break;
    case 's':
        if (nameIs(name, "seg", 3)) return CClaimscrubXML_nameSegment;
        if (nameIs(name, "subele", 6)) return CClaimscrubXML_nameSubelement;
        break;
    case 'l':
        if (nameIs(name, "loop", 4)) return CClaimscrubXML_nameLoop;
        break;
    case 'c':
        if (nameIs(name, "comp", 4)) return CClaimscrubXML_nameComposite;
        break;
    default:
        break;
    }
    return CClaimscrubXML_nameOther;
}

/* The value of the current element's attribute `name`, or NULL when it has none. */
static const char *attributeValue(CClaimscrubXMLReader *r, const char *name) {
    if (xmlTextReaderMoveToAttribute(r->reader, (const xmlChar *)name) != 1) return NULL;
    /* The value lives in the current tree (or the reader's buffer) until the next read. */
    const xmlChar *value = xmlTextReaderConstValue(r->reader);
    xmlTextReaderMoveToElement(r->reader);
    return (const char *)value;
}

/* The element's `id` attribute. pyx12 writes it as the only attribute, whose value the
   parser stores as one text node: read from there, else asked of the reader. */
static const char *elementID(CClaimscrubXMLReader *r, xmlNodePtr element) {
    if (element != NULL && element->type == XML_ELEMENT_NODE) {
        for (xmlAttrPtr attribute = element->properties; attribute != NULL; attribute = attribute->next) {
            if (attribute->ns != NULL || !nameIs(attribute->name, "id", 2)) continue;
            xmlNodePtr value = attribute->children;
            if (value == NULL) return "";
            if (value->type == XML_TEXT_NODE && value->next == NULL && value->content != NULL)
                return (const char *)value->content;
            break;
        }
    }
    return attributeValue(r, "id");
}

int CClaimscrubXML_step(CClaimscrubXMLReader *r, int wantText, long maximumText, CClaimscrubXMLNode *out) {
    for (;;) {
        int result = advance(r);
        if (result != 1) return result;
        xmlNodePtr current = xmlTextReaderCurrentNode(r->reader);
        if (!wantText && current != NULL
            && (current->type == XML_TEXT_NODE || current->type == XML_CDATA_SECTION_NODE)) {
            /* Text outside a field matters only when it is over the limit. */
            const xmlChar *value = xmlTextReaderConstValue(r->reader);
            if (value == NULL || (long)strlen((const char *)value) <= maximumText) continue;
        }
        int type = xmlTextReaderNodeType(r->reader);
        memset(out, 0, sizeof(*out));
        out->type = type;
        switch (type) {
        case CClaimscrubXML_element:
            out->depth = xmlTextReaderDepth(r->reader);
            out->isEmptyElement = xmlTextReaderIsEmptyElement(r->reader) == 1;
            out->nameKind = nameKind(xmlTextReaderConstLocalName(r->reader));
            if (out->nameKind != CClaimscrubXML_nameOther) out->id = elementID(r, current);
            /* Only loops and segments are located by line (claims, rejects); the rare
               element that needs its line otherwise asks CClaimscrubXML_nodeLine. */
            if (out->nameKind == CClaimscrubXML_nameLoop || out->nameKind == CClaimscrubXML_nameSegment)
                out->line = CClaimscrubXML_nodeLine(r);
            return 1;
        case CClaimscrubXML_documentType:
        case CClaimscrubXML_entityReference:
            out->line = CClaimscrubXML_nodeLine(r);
            return 1;
        case CClaimscrubXML_text:
        case CClaimscrubXML_cdata:
        case CClaimscrubXML_significantWhitespace:
        case CClaimscrubXML_endElement:
            return 1;
        default:
            /* Comments, processing instructions, whitespace under xml:space="default". */
            continue;
        }
    }
}

const char *CClaimscrubXML_value(CClaimscrubXMLReader *r) {
    return (const char *)xmlTextReaderConstValue(r->reader);
}

long CClaimscrubXML_nodeLine(CClaimscrubXMLReader *r) {
    xmlNodePtr node = xmlTextReaderCurrentNode(r->reader);
    if (node == NULL) return 0;
    /* With XML_PARSE_BIG_LINES the SAX builder stores lines past 65535 of an element in
       psvi, but xmlGetLineNo only reads psvi for text nodes and otherwise asks the
       children, which the streaming reader has not parsed yet at the start tag. */
    if (node->type == XML_ELEMENT_NODE && node->line == 65535 && node->psvi != NULL)
        return (long)(ptrdiff_t)node->psvi;
    return xmlGetLineNo(node);
}

const char *CClaimscrubXML_lastError(CClaimscrubXMLReader *r) {
    return r->firstFatal != NULL ? r->firstFatal : r->lastError;
}

long CClaimscrubXML_lastErrorLine(CClaimscrubXMLReader *r) {
    return r->firstFatal != NULL ? r->firstFatalLine : r->lastErrorLine;
}

int CClaimscrubXML_refusal(CClaimscrubXMLReader *r) {
    return r->refusal;
}

long CClaimscrubXML_refusalLine(CClaimscrubXMLReader *r) {
    return r->refusalLine;
}
