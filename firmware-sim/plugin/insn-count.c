/*
 * QEMU TCG plugin: executions of each translation block, split into regions by a mark address (the
 * harness's pulse_mark). Arguments: mark=<hex address> (bit 0, the Thumb bit, is ignored), out=<path>.
 * Region -1 runs until the first mark; each execution of a block starting at the mark starts the next region
 * (0, 1, ...) and counts in it. At exit `out` holds every tb and insn line, then every exec line:
 *   tb <id> <vaddr hex> <n instructions>
 *   insn <id> <vaddr hex> <disassembly>
 *   exec <region> <tb id> <count>
 * One callback per block execution, so a block counts whole: a region's instructions are the sum of count x n
 * over its exec lines. That is exact unless a block stops early: on a fault, or under -icount at an I/O access
 * (not at a block's end), where QEMU counts the block and then runs its rest again in a new one. Retranslations
 * of the same code (same start and bytes) keep their id. Assumes one vCPU, as on mps2-an386 and in qemu-aarch64
 * with one guest thread.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qemu-plugin-api.h"

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

struct block {
    uint64_t vaddr;
    size_t n_insns, n_bytes;
    uint8_t *bytes;  // to tell a retranslation from new code at the same address
    int64_t region;  // the region `count` belongs to
    uint64_t count;
};

static struct block *blocks;
static uint32_t n_blocks, capacity;
static uint32_t *touched;  // ids of the blocks executed in the current region; capacity entries
static uint32_t n_touched;
static uint32_t *slots;    // open-addressing hash table of block id + 1, 0 when empty; n_slots a power of 2
static size_t n_slots;
static uint64_t mark;
static int64_t region = -1;
static FILE *out, *execs;  // execs collects the exec lines, appended to out at exit

static void *checked(void *p) {
    if (!p) {
        perror("insn-count");
        exit(1);
    }
    return p;
}

static size_t slot_of(uint64_t vaddr, size_t n_insns) {
    uint64_t h = (vaddr ^ (uint64_t)n_insns << 48) * 0x9E3779B97F4A7C15u;
    return (h >> 32) & (n_slots - 1);
}

static void grow_slots(void) {
    free(slots);
    n_slots = n_slots ? 2 * n_slots : 1024;
    slots = checked(calloc(n_slots, sizeof *slots));
    for (uint32_t id = 0; id < n_blocks; id++) {
        size_t s = slot_of(blocks[id].vaddr, blocks[id].n_insns);
        while (slots[s])
            s = (s + 1) & (n_slots - 1);
        slots[s] = id + 1;
    }
}

// Writes the current region's exec lines.
static void flush_region(void) {
    for (uint32_t i = 0; i < n_touched; i++)
        fprintf(execs, "exec %" PRId64 " %" PRIu32 " %" PRIu64 "\n", region, touched[i],
                blocks[touched[i]].count);
    n_touched = 0;
}

static void on_exec(unsigned int vcpu_index, void *userdata) {
    uint32_t id = (uint32_t)(uintptr_t)userdata;
    struct block *b = &blocks[id];
    if (b->vaddr == mark) {
        flush_region();
        region++;
    }
    if (b->region != region) {
        b->region = region;
        b->count = 0;
        touched[n_touched++] = id;
    }
    b->count++;
}

// The id of the block with these instructions, added (and its tb and insn lines written) if new.
static uint32_t block_id(const struct qemu_plugin_tb *tb) {
    uint64_t vaddr = qemu_plugin_tb_vaddr(tb);
    size_t n_insns = qemu_plugin_tb_n_insns(tb), n_bytes = 0;
    uint8_t bytes[n_insns * 4];  // an instruction is at most 4 bytes on Arm and AArch64
    for (size_t i = 0; i < n_insns; i++) {
        const struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
        memcpy(bytes + n_bytes, qemu_plugin_insn_data(insn), qemu_plugin_insn_size(insn));
        n_bytes += qemu_plugin_insn_size(insn);
    }
    if (2 * (n_blocks + 1) > n_slots)
        grow_slots();
    size_t s = slot_of(vaddr, n_insns);
    for (; slots[s]; s = (s + 1) & (n_slots - 1)) {
        const struct block *b = &blocks[slots[s] - 1];
        if (b->vaddr == vaddr && b->n_insns == n_insns && b->n_bytes == n_bytes &&
            !memcmp(b->bytes, bytes, n_bytes))
            return slots[s] - 1;
    }
    if (n_blocks == capacity) {
        capacity = capacity ? 2 * capacity : 1024;
        blocks = checked(realloc(blocks, capacity * sizeof *blocks));
        touched = checked(realloc(touched, capacity * sizeof *touched));
    }
    uint32_t id = n_blocks++;
    blocks[id] = (struct block){vaddr, n_insns, n_bytes, checked(malloc(n_bytes)), INT64_MIN, 0};
    memcpy(blocks[id].bytes, bytes, n_bytes);
    slots[s] = id + 1;
    fprintf(out, "tb %" PRIu32 " %" PRIx64 " %zu\n", id, vaddr, n_insns);
    for (size_t i = 0; i < n_insns; i++) {
        const struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
        char *text = qemu_plugin_insn_disas(insn);
        size_t length = strlen(text);
        while (length > 0 && text[length - 1] == ' ')  // capstone leaves one after operand-less mnemonics
            length--;
        fprintf(out, "insn %" PRIu32 " %" PRIx64 " %.*s\n", id, qemu_plugin_insn_vaddr(insn), (int)length,
                text);
        free(text);
    }
    return id;
}

static void on_translate(qemu_plugin_id_t plugin, struct qemu_plugin_tb *tb) {
    uint32_t id = block_id(tb);
    qemu_plugin_register_vcpu_tb_exec_cb(tb, on_exec, QEMU_PLUGIN_CB_NO_REGS, (void *)(uintptr_t)id);
}

static void on_exit_qemu(qemu_plugin_id_t plugin, void *userdata) {
    flush_region();
    rewind(execs);
    char buffer[1 << 16];
    size_t n;
    while ((n = fread(buffer, 1, sizeof buffer, execs)) > 0)
        fwrite(buffer, 1, n, out);
    fclose(execs);
    if (fclose(out) != 0)
        perror("insn-count: writing the output");
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t plugin, const qemu_info_t *info, int argc,
                                           char **argv) {
    const char *path = NULL;
    bool has_mark = false;
    for (int i = 0; i < argc; i++) {
        if (!strncmp(argv[i], "mark=", 5)) {
            char *end;
            mark = strtoull(argv[i] + 5, &end, 16) & ~(uint64_t)1;
            has_mark = end != argv[i] + 5 && *end == '\0';
        } else if (!strncmp(argv[i], "out=", 4)) {
            path = argv[i] + 4;
        } else {
            fprintf(stderr, "insn-count: unknown argument '%s'\n", argv[i]);
            return 1;
        }
    }
    if (!has_mark || !path || !*path) {
        fprintf(stderr, "insn-count: needs mark=<hex address> and out=<path>\n");
        return 1;
    }
    if (!(out = fopen(path, "w")) || !(execs = tmpfile())) {
        perror(path);
        return 1;
    }
    qemu_plugin_register_vcpu_tb_trans_cb(plugin, on_translate);
    qemu_plugin_register_atexit_cb(plugin, on_exit_qemu, NULL);
    return 0;
}
