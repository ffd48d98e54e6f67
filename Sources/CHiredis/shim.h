// hiredis is used for the RESP protocol only: the reader and the argv encoder.
// closeup owns the socket (deadlines, TLS), so no connection API is wrapped.
#include <hiredis/hiredis.h>
#include <hiredis/read.h>

// Function-like macros do not import into Swift.
static inline const char *closeup_reader_error(redisReader *reader) { return reader->errstr; }
static inline int closeup_reader_failed(redisReader *reader) { return reader->err != 0; }
