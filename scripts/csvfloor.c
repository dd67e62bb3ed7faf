/* The parse-and-write floor for scripts/bench: an RFC 4180 pass over the canonical CSV
 * that splits every row into its fields, finds columns by header name and writes a
 * 12-column report row per line, applying no rules. It is how fast a CSV scrubber could
 * go if deciding cost nothing, so claimscrub's lines/s is reported as a ratio of it.
 * It maps the whole input to keep quoted fields simple, so its peak RSS counts the mapped
 * file and is no memory reference. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

enum { MAXF = 64, NOUT = 10 };
/* The report's columns that come from the input; policy_id and reason follow, empty/fixed. */
static const char *wanted[NOUT] = {"claim_id", "line_number", "payer_id", "line_of_business",
                                   "member_id", "procedure_code", "modifiers", "units",
                                   "charge", "service_date"};

typedef struct { const char *p; size_t n; } field;

/* One row from *pos: fields as raw byte ranges (quotes kept, which stays valid CSV on output). */
static int row(const char **pos, const char *end, field *f) {
    const char *p = *pos;
    int nf = 0;
    if (p >= end) return -1;
    for (;;) {
        const char *s = p;
        if (p < end && *p == '"') {
            p++;
            for (;;) {
                const char *q = memchr(p, '"', (size_t)(end - p));
                if (q == NULL) { p = end; break; }
                p = q + 1;
                if (p < end && *p == '"') { p++; continue; }
                break;
            }
        }
        while (p < end && *p != ',' && *p != '\n') p++;
        size_t n = (size_t)(p - s);
        if (n > 0 && s[n - 1] == '\r' && (p == end || *p == '\n')) n--;
        if (nf < MAXF) f[nf++] = (field){s, n};
        if (p >= end) break;
        if (*p++ == '\n') break;
    }
    *pos = p;
    return nf;
}

int main(int argc, char **argv) {
    if (argc != 3) { fprintf(stderr, "usage: csvfloor IN.csv OUT.csv\n"); return 64; }
    int fd = open(argv[1], O_RDONLY);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) { perror(argv[1]); return 66; }
    size_t size = (size_t)st.st_size;
    const char *data = size ? mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0) : "";
    if (data == MAP_FAILED) { perror("mmap"); return 71; }
    if (size) madvise((void *)data, size, MADV_SEQUENTIAL);
    FILE *out = fopen(argv[2], "w");
    if (out == NULL) { perror(argv[2]); return 73; }
    static char obuf[1 << 20];
    setvbuf(out, obuf, _IOFBF, sizeof obuf);

    const char *pos = data, *end = data + size;
    field f[MAXF];
    int col[NOUT];
    int nf = row(&pos, end, f);
    for (int i = 0; i < NOUT; i++) {
        col[i] = -1;
        for (int j = 0; j < nf; j++)
            if (f[j].n == strlen(wanted[i]) && strncasecmp(f[j].p, wanted[i], f[j].n) == 0) col[i] = j;
    }
    fputs("claim_id,line_number,payer_id,line_of_business,member_id,procedure_code,modifiers,"
          "units,charge,service_date,policy_id,reason\n", out);
    unsigned long long lines = 0;
    while ((nf = row(&pos, end, f)) >= 0) {
        if (nf == 1 && f[0].n == 0) continue;
        lines++;
        for (int i = 0; i < NOUT; i++) {
            if (col[i] >= 0 && col[i] < nf) fwrite(f[col[i]].p, 1, f[col[i]].n, out);
            putc(',', out);
        }
        fputs(",OK_NO_POLICY\n", out);
    }
    if (fclose(out) != 0) { perror(argv[2]); return 74; }
    printf("%llu lines\n", lines);
    return 0;
}
