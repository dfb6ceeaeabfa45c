/*
 * Host stdio: the caller's stdin, stdout and stderr, donated to the sandbox
 * as its fds 0, 1 and 2.  Reads and writes go to the donated host fd; of
 * ioctls only the terminal queries an application makes to decide how to
 * print (TCGETS, TIOCGWINSZ) are answered, from the host terminal.
 */
#pragma once

struct file;

/* A file over host fd (owned by the sandbox from now on), opened with flags. */
struct file *hoststdio_file(int hostfd, int flags);
/* f is the caller's stdin: poll(2) on it waits for input (reading ahead what a read may then take). */
void hoststdio_set_input(struct file *f);
/* The first host stdio file given (the caller's stdout) becomes the sandbox's console. */
void hoststdio_set_console(struct file *f);
/* Opens /dev/console (f, on the device's node) onto it; -ENXIO when there is none. */
long hoststdio_console_open(struct file *f);
