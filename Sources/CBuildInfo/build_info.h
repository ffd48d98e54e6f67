/* The commit closeup was built from, for --version. `make build` passes it with
 * -Xcc -DCLOSEUP_COMMIT='"<hash>"'; a plain `swift build` leaves it empty. A C
 * macro, because Swift has no way to take a string from the build command line. */
#ifndef CLOSEUP_BUILD_INFO_H
#define CLOSEUP_BUILD_INFO_H
#ifndef CLOSEUP_COMMIT
#define CLOSEUP_COMMIT ""
#endif
static inline const char *closeup_commit(void) { return CLOSEUP_COMMIT; }
#endif
