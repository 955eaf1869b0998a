// fake_credential_process: a credential_process stand-in for PosixProcessRunner and
// RunCredentialProcess tests. The mode is argv[1]:
//   ok                 prints valid credential_process JSON (fake keys, expires 2099) and exits 0
//   expired            prints valid JSON whose Expiration is in 2001
//   garbage            prints text that is not JSON
//   huge               writes 'A' to stdout forever (the runner must cut it off)
//   fail               prints a fake secret on stdout, two lines on stderr, exits 3
//   big-stderr         writes 200 KiB to stderr, exits 1
//   hang               sleeps forever
//   hang-with-child    forks a child (same process group); both sleep forever; prints the child's
//                      pid on stderr first so a test can check that the whole group was killed
//   close-and-hang     closes stdout and stderr, then sleeps forever
//   sleep-then-ok MS   sleeps MS milliseconds, then behaves like ok
//   signal             kills itself with SIGTERM
//   stdin              prints how many bytes it read from stdin (0 for /dev/null), exits 0
//   args A B …         prints its arguments after "args", one per line
// All credentials are obviously fake (AWS documentation examples).
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

constexpr char kOk[] =
    "{\"Version\": 1, \"AccessKeyId\": \"ASIAFAKEPROCESSEXAMPLE\", "
    "\"SecretAccessKey\": \"wJalrXUtnFEMI/K7MDENG/bPxRfiCYPROCESSKEY\", "
    "\"SessionToken\": \"FAKEPROCESSTOKENEXAMPLE\", \"Expiration\": \"2099-01-01T00:00:00Z\"}\n";
constexpr char kExpired[] =
    "{\"Version\": 1, \"AccessKeyId\": \"ASIAFAKEPROCESSEXAMPLE\", "
    "\"SecretAccessKey\": \"wJalrXUtnFEMI/K7MDENG/bPxRfiCYPROCESSKEY\", "
    "\"SessionToken\": \"FAKEPROCESSTOKENEXAMPLE\", \"Expiration\": \"2001-01-01T00:00:00Z\"}\n";

void WriteAll(int fd, const char* data, size_t size) {
  while (size > 0) {
    ssize_t n = ::write(fd, data, size);
    if (n <= 0) std::exit(1);
    data += n;
    size -= static_cast<size_t>(n);
  }
}
void WriteAll(int fd, const std::string& s) { WriteAll(fd, s.data(), s.size()); }

[[noreturn]] void SleepForever() {
  for (;;) ::pause();
}

void SleepMs(long ms) {
  timespec ts{ms / 1000, (ms % 1000) * 1000000L};
  while (::nanosleep(&ts, &ts) != 0) {
  }
}

}  // namespace

// Long on purpose: one branch per mode, as listed in the file comment.
int main(int argc, char** argv) {
  if (argc < 2) {
    WriteAll(2, "usage: fake_credential_process MODE [ARGS]\n");
    return 2;
  }
  const std::string mode = argv[1];
  if (mode == "ok") {
    WriteAll(1, kOk);
    return 0;
  }
  if (mode == "expired") {
    WriteAll(1, kExpired);
    return 0;
  }
  if (mode == "garbage") {
    WriteAll(1, "this is not json wJalrXUtnFEMI/K7MDENG/bPxRfiCYGARBAGEKEY\n");
    return 0;
  }
  if (mode == "huge") {
    std::string chunk(64 * 1024, 'A');
    for (;;) WriteAll(1, chunk);
  }
  if (mode == "fail") {
    WriteAll(1, "wJalrXUtnFEMI/K7MDENG/bPxRfiCYFAILEDKEY\n");
    WriteAll(2, "fake: the token service said no\nsecond line of detail\n");
    return 3;
  }
  if (mode == "big-stderr") {
    std::string chunk(1024, 'E');
    for (int i = 0; i < 200; ++i) WriteAll(2, chunk);
    return 1;
  }
  if (mode == "hang") SleepForever();
  if (mode == "hang-with-child") {
    pid_t child = ::fork();
    if (child == 0) SleepForever();
    WriteAll(2, std::to_string(child) + "\n");
    SleepForever();
  }
  if (mode == "close-and-hang") {
    ::close(1);
    ::close(2);
    SleepForever();
  }
  if (mode == "sleep-then-ok") {
    SleepMs(argc > 2 ? std::atol(argv[2]) : 0);
    WriteAll(1, kOk);
    return 0;
  }
  if (mode == "signal") {
    ::kill(::getpid(), SIGTERM);
    SleepForever();
  }
  if (mode == "stdin") {
    char buffer[256];
    long total = 0;
    ssize_t n;
    while ((n = ::read(0, buffer, sizeof(buffer))) > 0) total += n;
    WriteAll(1, std::to_string(total) + "\n");
    return 0;
  }
  if (mode == "args") {
    for (int i = 2; i < argc; ++i) WriteAll(1, std::string(argv[i]) + "\n");
    return 0;
  }
  WriteAll(2, "fake_credential_process: unknown mode " + mode + "\n");
  return 2;
}
