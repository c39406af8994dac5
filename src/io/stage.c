/* placeholder so the stage library is never empty */
typedef int dw__io_unused;
