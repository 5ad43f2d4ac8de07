// SPDX-License-Identifier: BSL-1.0
// b2's probe for Intel ISA-L (Jamroot: check-target-builds has_isal): it
// builds only where the header and the library are installed.
#include <isa-l/igzip_lib.h>

int main() {
  isal_zstream stream;
  isal_deflate_init(&stream);
  return 0;
}
