/* Links the installed plugin (not dlopen) and compares the header's version
 * with the library's: prints "version HEADER LIBRARY abi HEADER LIBRARY". */
#include <stdio.h>
#include <string.h>

#include <scoliomassage/plugin.h>

int main(void) {
  printf("version %s %s abi %d %d\n", SMP_VERSION, smp_version(), SMP_ABI_VERSION, smp_abi_version());
  return strcmp(SMP_VERSION, smp_version()) == 0 && SMP_ABI_VERSION == smp_abi_version() ? 0 : 1;
}
