// Fixed-arity wrappers around libedit's variadic calls, which Swift cannot
// call directly, plus the few C globals Swift 6 refuses to touch (the
// standard streams are mutable globals, a concurrency error in Swift 6 mode).
// Everything is `static inline` so nothing needs a compiled C target.
#ifndef CEDITLINE_SHIM_H
#define CEDITLINE_SHIM_H

#include <stdio.h>
#include <histedit.h>

/// The C standard streams, for `el_init`.
static inline FILE *cel_stdin(void) { return stdin; }
static inline FILE *cel_stdout(void) { return stdout; }
static inline FILE *cel_stderr(void) { return stderr; }

/// Prompt and Tab callbacks receive the editor; the Swift side finds its own
/// state through the client-data pointer.
typedef char *(*cel_prompt_function)(EditLine *);
typedef unsigned char (*cel_key_function)(EditLine *, int);

/// A prompt for the moment the Swift side has none to offer.
static inline char *cel_empty_prompt(void) {
    static char empty[1] = { 0 };
    return empty;
}

static inline int cel_set_prompt(EditLine *el, cel_prompt_function prompt) {
    return el_set(el, EL_PROMPT, prompt);
}

static inline int cel_set_editor(EditLine *el, const char *mode) {
    return el_set(el, EL_EDITOR, mode);
}

static inline int cel_set_signal(EditLine *el, int handle) {
    return el_set(el, EL_SIGNAL, handle);
}

static inline int cel_set_history(EditLine *el, History *history_state) {
    return el_set(el, EL_HIST, history, history_state);
}

static inline int cel_add_function(EditLine *el, const char *name, const char *help, cel_key_function function) {
    return el_set(el, EL_ADDFN, name, help, function);
}

static inline int cel_bind(EditLine *el, const char *key, const char *function) {
    return el_set(el, EL_BIND, key, function, NULL);
}

static inline int cel_set_client_data(EditLine *el, void *data) {
    return el_set(el, EL_CLIENTDATA, data);
}

static inline void *cel_client_data(EditLine *el) {
    void *data = NULL;
    if (el_get(el, EL_CLIENTDATA, &data) != 0) return NULL;
    return data;
}

static inline int cel_history_set_size(History *h, HistEvent *event, int size) {
    return history(h, event, H_SETSIZE, size);
}

static inline int cel_history_set_unique(History *h, HistEvent *event, int unique) {
    return history(h, event, H_SETUNIQUE, unique);
}

static inline int cel_history_enter(History *h, HistEvent *event, const char *line) {
    return history(h, event, H_ENTER, line);
}

static inline int cel_history_load(History *h, HistEvent *event, const char *path) {
    return history(h, event, H_LOAD, path);
}

static inline int cel_history_save(History *h, HistEvent *event, const char *path) {
    return history(h, event, H_SAVE, path);
}

#endif
