/* The memchr floor for scripts/bench: the least any reader must do is look at
 * every byte once, so counting newlines over 1 MiB reads bounds how fast a
 * streaming pass over the same file can be on this machine. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: countlines FILE\n");
        return 64;
    }
    int fd = open(argv[1], O_RDONLY);
    if (fd < 0) {
        perror(argv[1]);
        return 66;
    }
    enum { CHUNK = 1 << 20 };
    char *buf = malloc(CHUNK);
    if (buf == NULL) return 70;
    unsigned long long lines = 0, bytes = 0;
    for (;;) {
        ssize_t n = read(fd, buf, CHUNK);
        if (n < 0) {
            perror(argv[1]);
            return 74;
        }
        if (n == 0) break;
        bytes += (unsigned long long)n;
        const char *p = buf, *end = buf + n;
        while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
            lines++;
            p++;
        }
    }
    close(fd);
    free(buf);
    printf("%llu lines %llu bytes\n", lines, bytes);
    return 0;
}
