#include <stdio.h>
int f(int);
int main(void) { printf("f=%d\n", f(20)); return 0; }
