/// The demo SSE upstream behind the README's first command: GET /events/ streams
/// "data: Message: N - the time is HH:MM:SS" every --interval-ms (default 2000), chunked with keep-alive, as the
/// SSE servers Tyk users put behind their gateway do. Anything else answers a short text.

#include <Poco/DateTimeFormatter.h>
#include <Poco/LocalDateTime.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>
#include <thread>

namespace
{

int g_interval_ms = 2000;

class EventsHandler : public Poco::Net::HTTPRequestHandler
{
public:
    void handleRequest(Poco::Net::HTTPServerRequest &, Poco::Net::HTTPServerResponse & response) override
    {
        response.setContentType("text/event-stream");
        response.set("Cache-Control", "no-cache");
        response.setChunkedTransferEncoding(true);
        response.setKeepAlive(true);
        std::ostream & out = response.send();
        out.flush();
        for (long n = 1; out; ++n)
        {
            std::string now = Poco::DateTimeFormatter::format(Poco::LocalDateTime(), "%H:%M:%S");
            out << "data: Message: " << n << " - the time is " << now << "\n\n";
            out.flush(); /// one event, one chunk, now
            std::this_thread::sleep_for(std::chrono::milliseconds(g_interval_ms));
        }
    }
};

class TextHandler : public Poco::Net::HTTPRequestHandler
{
public:
    void handleRequest(Poco::Net::HTTPServerRequest & request, Poco::Net::HTTPServerResponse & response) override
    {
        std::string body = "Sluice demo upstream: try GET /events/ (you asked for " + request.getURI() + ")\n";
        response.setContentType("text/plain");
        response.sendBuffer(body.data(), body.size());
    }
};

class Factory : public Poco::Net::HTTPRequestHandlerFactory
{
public:
    Poco::Net::HTTPRequestHandler * createRequestHandler(const Poco::Net::HTTPServerRequest & request) override
    {
        const std::string & uri = request.getURI();
        if (uri.rfind("/events", 0) == 0)
            return new EventsHandler;
        return new TextHandler;
    }
};

}

int main(int argc, char ** argv)
{
    std::string host = "127.0.0.1";
    int port = 8000;
    for (int i = 1; i + 1 < argc; i += 2)
    {
        if (std::strcmp(argv[i], "--port") == 0)
            port = std::atoi(argv[i + 1]);
        else if (std::strcmp(argv[i], "--host") == 0)
            host = argv[i + 1];
        else if (std::strcmp(argv[i], "--interval-ms") == 0)
            g_interval_ms = std::atoi(argv[i + 1]);
    }
    std::signal(SIGPIPE, SIG_IGN);
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGINT);
    sigaddset(&mask, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &mask, nullptr); /// server threads inherit it; main waits below

    auto * params = new Poco::Net::HTTPServerParams;
    params->setMaxThreads(256);
    Poco::Net::ServerSocket socket(Poco::Net::SocketAddress(host, static_cast<Poco::UInt16>(port)));
    Poco::ThreadPool pool(2, 256);
    Poco::Net::HTTPServer server(new Factory, pool, socket, params);
    server.start();
    std::printf("demo SSE upstream on http://%s:%d/events/ (one event every %d ms)\n", host.c_str(), port,
                g_interval_ms);
    std::fflush(stdout);
    int sig = 0;
    sigwait(&mask, &sig);
    server.stopAll(true);
    return 0;
}
