// libxml2's headers pull in ICU declarations that clash with Foundation's (UErrorCode); include the
// version header first, switch ICU off, then only the headers the template parser needs.
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/relaxng.h>
#include <libxml/xmlsave.h>
