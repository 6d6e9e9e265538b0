// The drift statistics are exported from here (ksTest, chiSquareTest, ...).
export {};
