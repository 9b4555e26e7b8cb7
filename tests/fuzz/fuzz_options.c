/*
 * fuzz_options.c: sanitizer defaults for the fuzz harnesses.  The harnesses
 * ask for impossible sizes on purpose (malloc(SIZE_MAX) must give NULL and
 * ENOMEM), and pooled hands large requests to the process malloc, which
 * under AddressSanitizer aborts on them unless told to return NULL.  Options
 * in ASAN_OPTIONS still override these.
 */
const char *__asan_default_options(void);
__attribute__((used, visibility("default"))) const char *__asan_default_options(void)
{
    return "allocator_may_return_null=1";
}
