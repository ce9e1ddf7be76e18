// PCRE2's 8-bit library, for `matches`. pcre2.h names its functions
// through token-pasting macros (pcre2_compile → pcre2_compile_8), which
// Swift cannot import, so the calls crmql makes are wrapped here under
// names Swift sees. Everything is `static inline`: no compiled C target.
#ifndef CPCRE2_SHIM_H
#define CPCRE2_SHIM_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <stddef.h>
#include <stdint.h>
#include <pcre2.h>

typedef pcre2_code_8 cpcre2_code;
typedef pcre2_match_data_8 cpcre2_match_data;
typedef pcre2_match_context_8 cpcre2_match_context;
typedef pcre2_compile_context_8 cpcre2_compile_context;

static inline cpcre2_compile_context *cpcre2_compile_context_create(void) {
    return pcre2_compile_context_create_8(NULL);
}

static inline void cpcre2_compile_context_free(cpcre2_compile_context *context) {
    pcre2_compile_context_free_8(context);
}

static inline int cpcre2_set_max_pattern_length(cpcre2_compile_context *context, size_t length) {
    return pcre2_set_max_pattern_length_8(context, length);
}

static inline int cpcre2_set_parens_nest_limit(cpcre2_compile_context *context, uint32_t limit) {
    return pcre2_set_parens_nest_limit_8(context, limit);
}

/// Compiles `length` bytes of `pattern`; on failure returns NULL and sets
/// the error code and the byte offset where compilation stopped.
static inline cpcre2_code *cpcre2_compile(const uint8_t *pattern, size_t length, uint32_t options,
                                          int *error, size_t *offset, cpcre2_compile_context *context) {
    PCRE2_SIZE errorOffset = 0;
    cpcre2_code *code = pcre2_compile_8(pattern, length, options, error, &errorOffset, context);
    *offset = errorOffset;
    return code;
}

static inline void cpcre2_code_free(cpcre2_code *code) { pcre2_code_free_8(code); }

/// 0 when the pattern was compiled to machine code; a negative error code
/// (no JIT on this platform, out of memory) leaves the interpreter to match.
static inline int cpcre2_jit_compile(cpcre2_code *code) {
    return pcre2_jit_compile_8(code, PCRE2_JIT_COMPLETE);
}

/// The message of an error code, in `buffer`; its length or a negative code.
static inline int cpcre2_error_message(int error, uint8_t *buffer, size_t size) {
    return pcre2_get_error_message_8(error, buffer, size);
}

static inline cpcre2_match_data *cpcre2_match_data_create(cpcre2_code *code) {
    return pcre2_match_data_create_from_pattern_8(code, NULL);
}

static inline void cpcre2_match_data_free(cpcre2_match_data *data) { pcre2_match_data_free_8(data); }

static inline cpcre2_match_context *cpcre2_match_context_create(void) {
    return pcre2_match_context_create_8(NULL);
}

static inline void cpcre2_match_context_free(cpcre2_match_context *context) {
    pcre2_match_context_free_8(context);
}

/// Gives the JIT's matches a stack that grows to `maximum` bytes (its
/// default, 32 KB, is too small for a group repeated over a long text);
/// free it with `cpcre2_jit_stack_free` after the context.
static inline pcre2_jit_stack_8 *cpcre2_jit_stack_assign(cpcre2_match_context *context, size_t maximum) {
    pcre2_jit_stack_8 *stack = pcre2_jit_stack_create_8(32 * 1024, maximum, NULL);
    if (stack != NULL) pcre2_jit_stack_assign_8(context, NULL, stack);
    return stack;
}

static inline void cpcre2_jit_stack_free(pcre2_jit_stack_8 *stack) { pcre2_jit_stack_free_8(stack); }

/// What PCRE2 calls at each callout: 0 goes on, a negative code stops the
/// match and becomes pcre2_match's result.
typedef int (*cpcre2_callout_function)(pcre2_callout_block_8 *, void *);

static inline int cpcre2_set_callout(cpcre2_match_context *context, cpcre2_callout_function function, void *data) {
    return pcre2_set_callout_8(context, function, data);
}

static inline int cpcre2_set_match_limit(cpcre2_match_context *context, uint32_t limit) {
    return pcre2_set_match_limit_8(context, limit);
}

static inline int cpcre2_set_depth_limit(cpcre2_match_context *context, uint32_t limit) {
    return pcre2_set_depth_limit_8(context, limit);
}

static inline int cpcre2_set_heap_limit(cpcre2_match_context *context, uint32_t kibibytes) {
    return pcre2_set_heap_limit_8(context, kibibytes);
}

/// Searches `length` bytes of `subject` (valid UTF-8, so not checked again)
/// for the first match: > 0 on a match, PCRE2_ERROR_NOMATCH without one,
/// another negative code when a limit stopped the search.
static inline int cpcre2_match(const cpcre2_code *code, const uint8_t *subject, size_t length,
                               cpcre2_match_data *data, cpcre2_match_context *context) {
    return pcre2_match_8(code, subject, length, 0, PCRE2_NO_UTF_CHECK, data, context);
}

#endif
