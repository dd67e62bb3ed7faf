#ifndef CCLAIMSCRUBXML_H
#define CCLAIMSCRUBXML_H
/* Filled in by the XML reader work (issue 3): an opaque libxml2 text-reader handle. */
int CClaimscrubXML_version(void);
#endif
