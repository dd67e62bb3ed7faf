#include "CClaimscrubXML.h"
#include <libxml/xmlversion.h>
int CClaimscrubXML_version(void) { return LIBXML_VERSION; }
