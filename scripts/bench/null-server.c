/*
 * null-server: the fastest server the load tools can talk to, for the "ceiling" step of
 * scripts/bench/compare. It shows how far a load tool can go on this machine, so a ratio goal
 * can be told apart from the tool's own limit. Benchmark tooling only, never part of Mailgate.
 *
 *   null-server smtp PORT [SYNCFILE]   answers every SMTP command at once; with SYNCFILE, writes
 *                                      each message there and fdatasyncs before its 250 (one
 *                                      durable write per message, the least a durable server does)
 *   null-server pop3 PORT DROPFILE     every maildrop holds the messages of DROPFILE, served from
 *                                      memory; DROPFILE is, per message, its length in decimal and
 *                                      CRLF, then the message as RETR sends it (dot-stuffed, CRLF
 *                                      at the end), as scripts/bench/compare writes it
 *
 * Loopback only; one thread per connection, blocking I/O.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

enum { BUFFER = 1 << 22 };
static int sync_fd = -1;
static off_t sync_offset;
static pthread_mutex_t sync_lock = PTHREAD_MUTEX_INITIALIZER;
static char *drop;
static size_t drop_count;
static size_t *message_start, *message_length, drop_octets;

static int write_all(int fd, const char *data, size_t length) {
    while (length > 0) {
        ssize_t n = write(fd, data, length);
        if (n <= 0) return -1;
        data += n;
        length -= (size_t)n;
    }
    return 0;
}

/* Overwrites a preallocated file in place, as SQLite does with its WAL: no size change to sync. */
static void durable_write(const char *data, size_t length) {
    pthread_mutex_lock(&sync_lock);
    if (sync_offset + (off_t)length > (64 << 20)) sync_offset = 0;
    if (pwrite(sync_fd, data, length, sync_offset) < 0 || fdatasync(sync_fd) != 0) perror("durable write");
    sync_offset += (off_t)((length + 4095) & ~(size_t)4095);
    pthread_mutex_unlock(&sync_lock);
}

static void serve_smtp(int fd) {
    char *in = malloc(BUFFER), out[4096];
    size_t length = 0, position = 0, out_length = 0;
    int in_data = 0;
    write_all(fd, "220 null ESMTP\r\n", 16);
    for (;;) {
        ssize_t n = read(fd, in + length, BUFFER - length);
        if (n <= 0) break;
        length += (size_t)n;
        for (;;) {
            if (in_data) {
                /* position is at the CRLF that ended DATA, so an empty message is found too. */
                char *end = memmem(in + position, length - position, "\r\n.\r\n", 5);
                if (!end) break;
                if (sync_fd >= 0) durable_write(in + position + 2, (size_t)(end - (in + position)));
                position = (size_t)(end + 5 - in);
                in_data = 0;
                out_length += (size_t)sprintf(out + out_length, "250 2.0.0 ok\r\n");
                continue;
            }
            char *newline = memchr(in + position, '\n', length - position);
            if (!newline) break;
            char *line = in + position;
            position = (size_t)(newline + 1 - in);
            if (!strncasecmp(line, "EHLO", 4)) {
                out_length += (size_t)sprintf(out + out_length, "250-null\r\n250-PIPELINING\r\n250 8BITMIME\r\n");
            } else if (!strncasecmp(line, "DATA", 4) && newline > line && newline[-1] == '\r') {
                out_length += (size_t)sprintf(out + out_length, "354 go ahead\r\n");
                in_data = 1;
                position -= 2;
            } else if (!strncasecmp(line, "QUIT", 4)) {
                out_length += (size_t)sprintf(out + out_length, "221 bye\r\n");
                write_all(fd, out, out_length);
                goto done;
            } else {
                out_length += (size_t)sprintf(out + out_length, "250 ok\r\n");
            }
        }
        if (position == length) {
            position = length = 0;
        } else if (length == BUFFER || position > BUFFER / 2) {
            memmove(in, in + position, length - position);
            length -= position;
            position = 0;
            if (length == BUFFER) break; /* a line or message bigger than the buffer: give up */
        }
        if (out_length > 0 && write_all(fd, out, out_length) != 0) break;
        out_length = 0;
    }
done:
    free(in);
}

static void serve_pop3(int fd) {
    char in[65536], *out = malloc(BUFFER);
    size_t length = 0, out_length = 0;
    write_all(fd, "+OK null\r\n", 10);
    for (;;) {
        ssize_t n = read(fd, in + length, sizeof in - length);
        if (n <= 0) break;
        length += (size_t)n;
        size_t position = 0;
        for (;;) {
            char *newline = memchr(in + position, '\n', length - position);
            if (!newline) break;
            char *line = in + position;
            position = (size_t)(newline + 1 - in);
            size_t number = 0;
            if (!strncasecmp(line, "RETR ", 5)) number = (size_t)strtoul(line + 5, NULL, 10);
            size_t index = number >= 1 && number <= drop_count ? number - 1 : 0;
            if (out_length + message_length[index] + 64 > BUFFER) {
                if (write_all(fd, out, out_length) != 0) goto done;
                out_length = 0;
            }
            if (!strncasecmp(line, "STAT", 4)) {
                out_length += (size_t)sprintf(out + out_length, "+OK %zu %zu\r\n", drop_count, drop_octets);
            } else if (!strncasecmp(line, "CAPA", 4)) {
                out_length += (size_t)sprintf(out + out_length, "+OK\r\nPIPELINING\r\n.\r\n");
            } else if (number >= 1 && number <= drop_count) {
                out_length += (size_t)sprintf(out + out_length, "+OK %zu octets\r\n", message_length[index]);
                memcpy(out + out_length, drop + message_start[index], message_length[index]);
                out_length += message_length[index];
                memcpy(out + out_length, ".\r\n", 3);
                out_length += 3;
            } else if (!strncasecmp(line, "RETR", 4)) {
                out_length += (size_t)sprintf(out + out_length, "-ERR no such message\r\n");
            } else if (!strncasecmp(line, "QUIT", 4)) {
                out_length += (size_t)sprintf(out + out_length, "+OK bye\r\n");
                write_all(fd, out, out_length);
                goto done;
            } else {
                out_length += (size_t)sprintf(out + out_length, "+OK\r\n");
            }
        }
        memmove(in, in + position, length - position);
        length -= position;
        if (length == sizeof in) break;
        if (out_length > 0 && write_all(fd, out, out_length) != 0) break;
        out_length = 0;
    }
done:
    free(out);
}

static int is_pop3;

static void *connection(void *argument) {
    int fd = (int)(long)argument, one = 1, send_buffer = 1 << 20;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    /* As Mailgate's listeners (MailListener.sendBufferSize): a fixed 1 MiB, no autotuning. */
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &send_buffer, sizeof send_buffer);
    if (is_pop3) serve_pop3(fd);
    else serve_smtp(fd);
    close(fd);
    return NULL;
}

int main(int argc, char **argv) {
    if (argc < 3 || (strcmp(argv[1], "smtp") && strcmp(argv[1], "pop3")) ||
        (!strcmp(argv[1], "pop3") && argc < 4)) {
        fprintf(stderr, "usage: null-server smtp PORT [SYNCFILE] | null-server pop3 PORT DROPFILE\n");
        return 2;
    }
    is_pop3 = !strcmp(argv[1], "pop3");
    if (!is_pop3 && argc > 3) {
        sync_fd = open(argv[3], O_WRONLY | O_CREAT, 0600);
        if (sync_fd < 0 || posix_fallocate(sync_fd, 0, 64 << 20) != 0) {
            perror(argv[3]);
            return 1;
        }
        /* Written once, so that later writes overwrite allocated blocks. */
        char zeros[65536] = {0};
        for (off_t at = 0; at < (64 << 20); at += sizeof zeros) pwrite(sync_fd, zeros, sizeof zeros, at);
        fsync(sync_fd);
    }
    if (is_pop3) {
        FILE *file = fopen(argv[3], "rb");
        if (!file) {
            perror(argv[3]);
            return 1;
        }
        fseek(file, 0, SEEK_END);
        long size = ftell(file);
        rewind(file);
        drop = malloc((size_t)size + 1);
        if (fread(drop, 1, (size_t)size, file) != (size_t)size) {
            perror(argv[3]);
            return 1;
        }
        drop[size] = 0;
        fclose(file);
        message_start = malloc(sizeof(size_t) * 100000);
        message_length = malloc(sizeof(size_t) * 100000);
        for (size_t at = 0; at < (size_t)size && drop_count < 100000;) {
            char *end;
            size_t length = (size_t)strtoul(drop + at, &end, 10);
            message_start[drop_count] = (size_t)(end + 2 - drop);
            message_length[drop_count] = length;
            /* RFC 1939: the octet count is of the message, not of its dot-stuffed form; close enough. */
            drop_octets += length;
            at = message_start[drop_count] + length;
            drop_count++;
        }
    }
    int listener = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[2])),
                                  .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (bind(listener, (struct sockaddr *)&address, sizeof address) != 0 || listen(listener, 512) != 0) {
        perror("listen");
        return 1;
    }
    for (;;) {
        int client = accept(listener, NULL, NULL);
        if (client < 0) continue;
        pthread_t thread;
        if (pthread_create(&thread, NULL, connection, (void *)(long)client) == 0) pthread_detach(thread);
        else close(client);
    }
}
