/*
 * ProcessPrng for Wine 8 (Debian 12), which lacks bcryptprimitives.dll: Rust's standard
 * library on Windows draws its random numbers from it. Built by scripts/windows/wine-test.sh
 * with MinGW and placed in the test Wine prefix only; Windows itself has the real one.
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
    while (length > 0) {
        ULONG chunk = length > 0x10000000 ? 0x10000000 : (ULONG)length;
        if (!SystemFunction036(data, chunk))
            return FALSE;
        data += chunk;
        length -= chunk;
    }
    return TRUE;
}
