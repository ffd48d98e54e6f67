/* The "limit" row of `make bench`: the least a client can do to list the keys of
 * a pattern. SCAN with COUNT (closeup's 1000 by default) and MATCH against one
 * redis-server, the next page asked for before this one is written (as closeup
 * does), each key and a newline into one 64 KiB stdout buffer. No parsing of key
 * shapes, no escaping: what is left is the server's time and the socket's.
 * Usage: scan-limit PORT PATTERN [COUNT]   (127.0.0.1; exit 1 on any error)
 * Built by bench/run.sh with: cc -O2 scan_limit.c -lhiredis */
#include <hiredis/hiredis.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void fail(const char *what, const redisContext *c) {
    fprintf(stderr, "scan-limit: %s%s%s\n", what, c && c->err ? ": " : "", c && c->err ? c->errstr : "");
    exit(1);
}

/* Queues SCAN cursor COUNT count MATCH pattern and writes it to the socket now. */
static void ask(redisContext *c, const char *cursor, size_t cursor_len, const char *count, const char *pattern) {
    const char *argv[] = {"SCAN", cursor, "COUNT", count, "MATCH", pattern};
    size_t lens[] = {4, cursor_len, 5, strlen(count), 5, strlen(pattern)};
    if (redisAppendCommandArgv(c, 6, argv, lens) != REDIS_OK) fail("append", c);
    int done = 0;
    while (!done)
        if (redisBufferWrite(c, &done) != REDIS_OK) fail("write", c);
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: scan-limit PORT PATTERN [COUNT]\n");
        return 1;
    }
    const char *pattern = argv[2], *count = argc > 3 ? argv[3] : "1000";
    static char out[1 << 16];
    setvbuf(stdout, out, _IOFBF, sizeof out);
    redisContext *c = redisConnect("127.0.0.1", atoi(argv[1]));
    if (!c || c->err) fail("connect", c);
    ask(c, "0", 1, count, pattern);
    for (;;) {
        redisReply *page;
        if (redisGetReply(c, (void **)&page) != REDIS_OK) fail("read", c);
        if (page->type != REDIS_REPLY_ARRAY || page->elements != 2) fail("unexpected SCAN reply", NULL);
        const redisReply *cursor = page->element[0], *keys = page->element[1];
        int last = cursor->len == 1 && cursor->str[0] == '0';
        if (!last) ask(c, cursor->str, cursor->len, count, pattern);
        for (size_t i = 0; i < keys->elements; i++) {
            fwrite(keys->element[i]->str, 1, keys->element[i]->len, stdout);
            putc('\n', stdout);
        }
        freeReplyObject(page);
        if (last) break;
    }
    redisFree(c);
    return fflush(stdout) == 0 ? 0 : 1;
}
