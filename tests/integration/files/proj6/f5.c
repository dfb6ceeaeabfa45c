int f5(void) { return 5; }
