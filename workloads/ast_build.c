/*
 * ast_build.c: a type checker's long-lived graph of syntax trees and
 * symbol tables, built in phases and partly replaced: the mypy report.
 *
 * Field report (mypy issue 21403): under CPython 3.14's incremental
 * collector mypy used about twice the memory of 3.13 and was OOM-killed in
 * CI.  mypy's heap is a large graph that lives for the whole run (a syntax
 * tree per module, with parent links, and symbol tables whose entries
 * refer back to the nodes that define them), built in phases (parse, then
 * semantic analysis, then type checking, whose per-statement state is
 * short-lived and cyclic), and partly rebuilt when modules are processed
 * again.
 *
 * Model, phases `parse`, `analyze`, `replace`:
 *   parse    `modules` modules, each a tree of `nodes` nodes (four slots:
 *            parent, first child, next sibling, symbol; 16 raw bytes with a
 *            number; each node's parent drawn among the last 8 nodes made)
 *            and a symbol table (one table object of `syms` entries, each
 *            entry pointing back at its defining node, every 4th node
 *            pointing at an entry): cycles everywhere.  A module object
 *            holds the root, the table, its tag (field.h) and an import
 *            list of up to `imports` earlier modules; the root, the table
 *            and the import list point back at it, so that each module is
 *            one strongly connected structure (as field.h requires of a
 *            tagged one: no collector frees part of it before the rest).
 *   analyze  every module's tree is walked; every `stmt` nodes the checker
 *            makes `stmt` temporary pairs (a type and its constraint,
 *            pointing at each other and at the node) in one batch, and
 *            drops the batch when the statement is done.
 *   replace  `rounds` rounds, each re-parsing `replace` percent of the
 *            modules (chosen from env->seed): the new module takes the old
 *            one's place in the module table and in every import list that
 *            named it, the old tree and table are dropped, and the new
 *            module is analysed as above.
 * Every dropped module and batch has a tag: trash is counted exactly.
 * Automatic collection only; one full collection at the end.
 *
 * Checksum: the walk's node values and counts per module, in order, in
 * each analysis; then every module's root value and size at the end.  The
 * trash accounting is checked (field.h).
 */
#include <stdio.h>

#include "collector.h"
#include "field.h"
#include "workload.h"

static const hb_param_def params[] = {
    {"modules", 450, 1, 100000000, NULL,
     "modules, at scale 1 (default: about 1.1 M nodes, 180 MiB; about 4 s (libc, generational))"},
    {"nodes", 2500, 2, 100000000, NULL, "syntax tree nodes per module"},
    {"syms", 250, 1, 1000000, NULL, "symbol table entries per module"},
    {"imports", 8, 0, 1000, NULL, "import list length (earlier modules)"},
    {"stmt", 16, 1, 100000, NULL, "nodes per statement, and temporary pairs the checker makes for each"},
    {"rounds", 3, 0, 1000, NULL, "replace rounds"},
    {"replace", 25, 0, 100, NULL, "percent of the modules re-parsed in each round"},
};

static const char *const phases[] = {"parse", "analyze", "replace", NULL};

static const hb_type node_type = {.name = "ast-node"};
static const hb_type sym_type = {.name = "symbol"};
static const hb_type table_type = {.name = "symtable"};
static const hb_type module_type = {.name = "module"};
static const hb_type temp_type = {.name = "type-temp"};

enum { N_PARENT = 0, N_CHILD, N_NEXT, N_SYM, N_NSLOTS };
enum { M_ROOT = 0, M_TABLE, M_IMPORTS, M_TAG, M_NSLOTS };
enum { RECENT = 8 };

typedef struct cfg {
    long long nodes, syms, imports, stmt;
    int64_t mod_objects, mod_bytes, batch_objects, batch_bytes;
} cfg;

/* A new module numbered m, in a handle of the caller's scope. */
static hb_handle parse_module(hb_gc *gc, const cfg *c, uint64_t m, hb_rng *rng, uint64_t *ops)
{
    hb_scope s = hb_scope_enter(gc);
    hb_handle mod = hb_new(gc, &module_type, M_NSLOTS, 16);
    hb_handle tab = hb_new(gc, &table_type, (uint32_t)c->syms + 1, 0);
    hb_handle imp = hb_new(gc, &table_type, (uint32_t)c->imports + 1, 0);
    if (mod == HB_NO_HANDLE || tab == HB_NO_HANDLE || imp == HB_NO_HANDLE)
        goto oom;
    *ops += 3;
    *(uint64_t *)hb_bytes(hb_get(gc, mod)) = m;
    hb_set(gc, hb_get(gc, mod), M_TABLE, hb_get(gc, tab));
    hb_set(gc, hb_get(gc, mod), M_IMPORTS, hb_get(gc, imp));
    /* Back links (the last slot of each, the root's parent): a module is
     * one strongly connected structure, freed at once by any collector. */
    hb_set(gc, hb_get(gc, tab), (uint32_t)c->syms, hb_get(gc, mod));
    hb_set(gc, hb_get(gc, imp), (uint32_t)c->imports, hb_get(gc, mod));
    hb_handle recent[RECENT];
    for (int k = 0; k < RECENT; k++)
        if ((recent[k] = hb_push(gc, NULL)) == HB_NO_HANDLE)
            goto oom;
    long long nsym = 0;
    for (long long i = 0; i < c->nodes; i++) {
        hb_handle n = hb_new(gc, &node_type, N_NSLOTS, 16);
        if (n == HB_NO_HANDLE)
            goto oom;
        (*ops)++;
        hb_obj *o = hb_get(gc, n);
        *(uint64_t *)hb_bytes(o) = m * 1000003u + (uint64_t)i;
        if (i == 0) {
            hb_set(gc, hb_get(gc, mod), M_ROOT, o);
            hb_set(gc, o, N_PARENT, hb_get(gc, mod));
        }
        else { /* parent: one of the last RECENT nodes; prepend to its children */
            long long back = (long long)hb_rng_below(rng, (uint64_t)(i < RECENT ? i : RECENT));
            hb_obj *p = hb_get(gc, recent[(i - 1 - back) % RECENT]);
            hb_set(gc, o, N_PARENT, p);
            hb_set(gc, o, N_NEXT, hb_slot(p, N_CHILD));
            hb_set(gc, p, N_CHILD, o);
        }
        if (i % 4 == 0) { /* a definition: a symbol entry pointing back at it */
            hb_obj *t = hb_get(gc, tab);
            uint32_t e = (uint32_t)(nsym++ % c->syms);
            hb_obj *sym = hb_slot(t, e);
            if (sym == NULL) {
                hb_handle sh = hb_new(gc, &sym_type, 1, 16);
                if (sh == HB_NO_HANDLE)
                    goto oom;
                (*ops)++;
                sym = hb_get(gc, sh);
                *(uint64_t *)hb_bytes(sym) = m * 7919u + e;
                hb_set(gc, hb_get(gc, tab), e, sym);
                hb_scope_leave(gc, sh);
                o = hb_get(gc, n);
            }
            hb_set(gc, sym, 0, o);
            hb_set(gc, o, N_SYM, sym);
        }
        hb_handle_set(gc, recent[i % RECENT], hb_get(gc, n));
        hb_scope_leave(gc, n);
    }
    if (hb_fld_tag(gc, hb_get(gc, mod), M_TAG) != 0)
        goto oom;
    (*ops)++;
    return hb_scope_leave_keep(gc, s, mod);
oom:
    hb_scope_leave(gc, s);
    return HB_NO_HANDLE;
}

/* Walks a module's tree (explicit stack of handles' worth: the tree is
 * reachable from `mod`, and nothing here frees), making and dropping a
 * batch of temporaries per statement; mixes values and the count into *h. */
static int analyze(hb_gc *gc, const cfg *c, hb_obj *mod0, uint64_t *h, uint64_t *ops)
{
    hb_scope s = hb_scope_enter(gc);
    hb_handle mod = hb_push(gc, mod0), cur = hb_push(gc, hb_slot(mod0, M_ROOT)), batch = hb_push(gc, NULL);
    if (mod == HB_NO_HANDLE || cur == HB_NO_HANDLE || batch == HB_NO_HANDLE)
        goto oom;
    uint64_t sum = 0, count = 0;
    /* Preorder through parent links: child first, else next sibling, else
     * climb until a parent has a next sibling. */
    hb_obj *root = hb_slot(hb_get(gc, mod), M_ROOT);
    while (hb_get(gc, cur) != NULL) {
        hb_obj *o = hb_get(gc, cur);
        sum += *(const uint64_t *)hb_bytes(o);
        count++;
        if (count % (uint64_t)c->stmt == 0) { /* a statement checked: its temporaries */
            hb_handle b = hb_new(gc, &temp_type, (uint32_t)c->stmt + 1, 0);
            if (b == HB_NO_HANDLE)
                goto oom;
            (*ops)++;
            hb_handle_set(gc, batch, hb_get(gc, b));
            hb_scope_leave(gc, b);
            for (long long k = 0; k < c->stmt; k++) {
                hb_scope t = hb_scope_enter(gc);
                hb_handle ty = hb_new(gc, &temp_type, 3, 16), cn = hb_new(gc, &temp_type, 2, 16);
                if (ty == HB_NO_HANDLE || cn == HB_NO_HANDLE)
                    goto oom;
                *ops += 2;
                hb_set(gc, hb_get(gc, ty), 0, hb_get(gc, cn));
                hb_set(gc, hb_get(gc, cn), 0, hb_get(gc, ty));
                hb_set(gc, hb_get(gc, ty), 1, hb_get(gc, cur)); /* the node it types */
                hb_set(gc, hb_get(gc, ty), 2, hb_get(gc, batch));
                hb_set(gc, hb_get(gc, batch), (uint32_t)k, hb_get(gc, ty));
                *(uint64_t *)hb_bytes(hb_get(gc, ty)) = count + (uint64_t)k;
                hb_scope_leave(gc, t);
            }
            if (hb_fld_tag(gc, hb_get(gc, batch), (uint32_t)c->stmt) != 0)
                goto oom;
            (*ops)++;
            hb_fld_drop(hb_slot(hb_get(gc, batch), (uint32_t)c->stmt), c->batch_objects, c->batch_bytes);
            hb_handle_set(gc, batch, NULL); /* the statement's temporaries are garbage */
            o = hb_get(gc, cur);
        }
        hb_obj *n = hb_slot(o, N_CHILD);
        while (n == NULL && o != root) {
            n = hb_slot(o, N_NEXT);
            if (n == NULL)
                o = hb_slot(o, N_PARENT);
        }
        hb_handle_set(gc, cur, n);
    }
    if (count != (uint64_t)c->nodes) {
        hb_scope_leave(gc, s);
        return HB_WL_WRONG;
    }
    *h = hb_mix(hb_mix(*h, sum), count);
    hb_scope_leave(gc, s);
    return HB_WL_OK;
oom:
    hb_scope_leave(gc, s);
    return HB_WL_OOM;
}

/* Module m's import list: up to `imports` earlier modules. */
static void link_imports(hb_gc *gc, const cfg *c, hb_obj *mods, uint32_t m)
{
    hb_obj *imp = hb_slot(hb_slot(mods, m), M_IMPORTS);
    for (long long j = 0; j < c->imports && m > 0; j++)
        hb_set(gc, imp, (uint32_t)j, hb_slot(mods, (uint32_t)(((uint64_t)m * 7 + (uint64_t)j * 13) % m)));
}

static int run(const hb_workload_env *env, hb_workload_result *out)
{
    hb_gc *gc = env->gc;
    long long modules = hb_wl_scaled(env, env->params[0], 1);
    cfg c = {.nodes = env->params[1], .syms = env->params[2], .imports = env->params[3], .stmt = env->params[4]};
    long long rounds = env->params[5], replace = env->params[6];
    long long nsyms = c.syms < (c.nodes + 3) / 4 ? c.syms : (c.nodes + 3) / 4;
    c.mod_objects = 3 + c.nodes + nsyms + 1;
    c.mod_bytes = hb_fld_size(M_NSLOTS, 16) + hb_fld_size((uint32_t)c.syms + 1, 0) + hb_fld_size((uint32_t)c.imports + 1, 0) +
                  c.nodes * hb_fld_size(N_NSLOTS, 16) + nsyms * hb_fld_size(1, 16) + HB_FLD_TAG_BYTES;
    c.batch_objects = 1 + 2 * c.stmt + 1;
    c.batch_bytes = hb_fld_size((uint32_t)c.stmt + 1, 0) + c.stmt * (hb_fld_size(3, 16) + hb_fld_size(2, 16)) +
                    HB_FLD_TAG_BYTES;
    uint64_t h = HB_CHECKSUM_INIT, ops = 0;
    int rc = HB_WL_OK;
    hb_rng rng;
    hb_rng_seed(&rng, env->seed);
    hb_scope s0 = hb_scope_enter(gc);
    hb_fld_begin(env);

    hb_wl_phase(env->gauges, 0);
    hb_handle mods = hb_new(gc, &table_type, (uint32_t)modules, 0);
    if (mods == HB_NO_HANDLE)
        goto oom;
    ops++;
    for (long long m = 0; m < modules; m++) {
        hb_handle mh = parse_module(gc, &c, (uint64_t)m, &rng, &ops);
        if (mh == HB_NO_HANDLE)
            goto oom;
        hb_set(gc, hb_get(gc, mods), (uint32_t)m, hb_get(gc, mh));
        hb_scope_leave(gc, mh);
        link_imports(gc, &c, hb_get(gc, mods), (uint32_t)m);
    }
    hb_wl_phase(env->gauges, 1);
    for (long long m = 0; m < modules; m++)
        if ((rc = analyze(gc, &c, hb_slot(hb_get(gc, mods), (uint32_t)m), &h, &ops)) != HB_WL_OK)
            goto fail;
    hb_wl_phase(env->gauges, 2);
    for (long long r = 0; r < rounds; r++) {
        long long n = modules * replace / 100;
        for (long long k = 0; k < n; k++) {
            uint32_t m = (uint32_t)hb_rng_below(&rng, (uint64_t)modules);
            hb_handle mh = parse_module(gc, &c, (uint64_t)m + (uint64_t)(r + 1) * (uint64_t)modules, &rng, &ops);
            if (mh == HB_NO_HANDLE)
                goto oom;
            hb_obj *all = hb_get(gc, mods), *old = hb_slot(all, m);
            /* Every import list that names the old module names the new one. */
            for (long long i = m + 1; i < modules; i++) {
                hb_obj *imp = hb_slot(hb_slot(all, (uint32_t)i), M_IMPORTS);
                for (long long j = 0; j < c.imports; j++)
                    if (hb_slot(imp, (uint32_t)j) == old)
                        hb_set(gc, imp, (uint32_t)j, hb_get(gc, mh));
            }
            hb_fld_drop(hb_slot(old, M_TAG), c.mod_objects, c.mod_bytes);
            hb_set(gc, all, m, hb_get(gc, mh)); /* the old module is garbage */
            link_imports(gc, &c, all, m);
            hb_scope_leave(gc, mh);
            if ((rc = analyze(gc, &c, hb_slot(hb_get(gc, mods), m), &h, &ops)) != HB_WL_OK)
                goto fail;
        }
    }
    for (long long m = 0; m < modules; m++) {
        hb_obj *mo = hb_slot(hb_get(gc, mods), (uint32_t)m);
        h = hb_mix(h, *(const uint64_t *)hb_bytes(hb_slot(mo, M_ROOT)));
    }
    hb_gc_collect(gc, HB_GC_FULL); /* the interpreter's shutdown */
    rc = hb_fld_end(gc, out);
    goto done;
oom:
    rc = HB_WL_OOM;
fail:
    if (rc == HB_WL_OOM)
        snprintf(out->message, sizeof out->message, "object allocation failed");
    else
        snprintf(out->message, sizeof out->message, "a module's tree lost nodes");
done:
    hb_scope_leave(gc, s0);
    out->checksum = h;
    out->ops = ops;
    return rc;
}

const hb_workload_ops hb_wl_ast_build = {
    .name = "ast-build",
    .summary = "field: a large long-lived graph of syntax trees and symbol tables, built in phases, partly replaced",
    .origin = "field report: mypy issue 21403 (about 2x memory under 3.14's incremental collector, OOM in CI)",
    .flags = HB_WL_COLLECTOR | HB_WL_FIELD,
    .params = params,
    .nparams = sizeof params / sizeof params[0],
    .run = run,
    .phases = phases,
};
