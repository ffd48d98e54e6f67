// hiredis is used for the RESP protocol only: the reader and the argv encoder.
// closeup owns the socket (deadlines, TLS), so no connection API is wrapped.
#include <hiredis/hiredis.h>
#include <hiredis/read.h>
#include <stdlib.h>

// Function-like macros do not import into Swift.
static inline const char *closeup_reader_error(redisReader *reader) { return reader->errstr; }
static inline int closeup_reader_failed(redisReader *reader) { return reader->err != 0; }

// An array header announces its element count before any element arrives, and hiredis
// allocates that many pointers at once: 15 bytes from a lying server ("*2147483647\r\n")
// would ask for 16 GB. closeup's readers refuse arrays longer than this instead (no honest
// reply to closeup comes near it: keys scan caps SCAN's COUNT at 1,000,000).
#define CLOSEUP_MAX_ARRAY_ELEMENTS (1 << 22)

typedef struct {
    redisReplyObjectFunctions functions;
    void *(*createArray)(const redisReadTask *, int);
    long long refused;  // the element count of the array refused, if any
} closeup_reader_state;

static inline void *closeup_create_array(const redisReadTask *task, int elements) {
    closeup_reader_state *state = (closeup_reader_state *)task->privdata;
    if (elements > CLOSEUP_MAX_ARRAY_ELEMENTS) {
        state->refused = elements;
        return NULL;  // hiredis then fails the reader ("Out of memory"); closeup_reader_refused says why
    }
    return state->createArray(task, elements);
}

// hiredis's reader with its own reply functions, but arrays bounded.
static inline redisReader *closeup_reader_create(void) {
    redisReader *reader = redisReaderCreate();
    closeup_reader_state *state = malloc(sizeof *state);
    if (reader == NULL || state == NULL) {
        if (reader) redisReaderFree(reader);
        free(state);
        return NULL;
    }
    state->functions = *reader->fn;
    state->createArray = state->functions.createArray;
    state->functions.createArray = closeup_create_array;
    state->refused = 0;
    reader->fn = &state->functions;
    reader->privdata = state;
    return reader;
}

static inline long long closeup_reader_refused(redisReader *reader) {
    return ((closeup_reader_state *)reader->privdata)->refused;
}

static inline void closeup_reader_free(redisReader *reader) {
    closeup_reader_state *state = (closeup_reader_state *)reader->privdata;
    redisReaderFree(reader);  // frees a partial reply through state->functions first
    free(state);
}
