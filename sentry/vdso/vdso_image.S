/* The vDSO image (build/vdso/vdso.so, made from sentry/vdso/image/), carried in the cvisor binary. */
	.section .rodata.cvisor_vdso, "a"
	.balign 4096
	.globl vdso_image_start, vdso_image_end
vdso_image_start:
	.incbin VDSO_IMAGE
vdso_image_end:

	.section .note.GNU-stack, "", @progbits
