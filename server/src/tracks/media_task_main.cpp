// The media task alone, for tests of the processing job (the server runs it as `veza media-task`).

#include <string>
#include <vector>

#include "tracks/media_task.h"

int main(int argc, char** argv) {
  return veza::tracks::MediaTaskMain(std::vector<std::string>(argv + 1, argv + argc));
}
