/*
 * FUTEX_WAKE_OP: each operation on the second word, with the shift flag
 * (1 << oparg, the count sign-extended first and taken mod 32) and every
 * comparison, printing the word after it and the wake count.  No waiters:
 * the count says whether the comparison held (it wakes nobody either way,
 * so it is 0; the word's new value is what differs).
 */
#include "check.h"

#include <linux/futex.h>
#include <stdint.h>
#include <sys/syscall.h>

static uint32_t w1, w2;

static long wake_op(uint32_t op)
{
	return syscall(SYS_futex, &w1, FUTEX_WAKE_OP_PRIVATE, 1, (void *)1L, &w2, op);
}

int main(void)
{
	static const int args[] = {0, 1, 5, 11, 31, 32, 0x7ff, 0x800, 0xfff};
	char what[96];

	for (int op = 0; op <= 4; op++)
		for (int shift = 0; shift <= 1; shift++)
			for (unsigned i = 0; i < sizeof(args) / sizeof(args[0]); i++) {
				w2 = 0x12345678;
				snprintf(what, sizeof(what), "op %d shift %d arg %#x", op, shift, args[i]);
				CHECK(what, wake_op(FUTEX_OP(op | (shift ? FUTEX_OP_OPARG_SHIFT : 0), args[i],
							     FUTEX_OP_CMP_EQ, 0)));
				printf("  word %#x\n", w2);
			}
	/* The comparison with the old value, including a sign-extended cmparg. */
	for (int cmp = 0; cmp <= 5; cmp++)
		for (int cmparg = 0; cmparg <= 0xfff; cmparg += 0x7ff) {
			w2 = 5;
			snprintf(what, sizeof(what), "cmp %d cmparg %#x", cmp, cmparg);
			CHECK(what, wake_op(FUTEX_OP(FUTEX_OP_SET, 7, cmp, cmparg)));
		}
	w2 = 0;
	CHECK("bad op 7", wake_op(FUTEX_OP(7, 0, 0, 0)));
	CHECK("bad cmp 6", wake_op(FUTEX_OP(FUTEX_OP_SET, 0, 6, 0)));
	CHECK("second word unmapped", syscall(SYS_futex, &w1, FUTEX_WAKE_OP_PRIVATE, 1, (void *)1L, (void *)8, 0));
	return 0;
}
