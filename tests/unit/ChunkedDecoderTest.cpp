#include "worker/ChunkedDecoder.h"

#include <gtest/gtest.h>

#include <string>

using sluice::worker::ChunkedDecoder;

namespace
{

struct Result
{
    std::string payload;
    bool done = false;
    bool failed = false;
};

/// Feeds `pieces` one after the other, decoding in place as the pump does.
Result decodePieces(std::initializer_list<std::string> pieces)
{
    ChunkedDecoder decoder;
    Result result;
    for (std::string piece : pieces)
    {
        size_t n = decoder.decode(piece.data(), piece.size(), piece.data());
        result.payload.append(piece.data(), n);
    }
    result.done = decoder.done();
    result.failed = decoder.failed();
    return result;
}

Result decodeAll(const std::string & body) { return decodePieces({body}); }

const std::string kBody = "5\r\nhello\r\n"
                          "1A;name=\"v\";flag\r\nabcdefghijklmnopqrstuvwxyz\r\n"
                          "3\ndef\n"
                          "0\r\nX-Trailer: yes\r\nOther: 1\r\n\r\n";
const std::string kPayload = "helloabcdefghijklmnopqrstuvwxyzdef";

}

TEST(ChunkedDecoder, DecodesWholeBody)
{
    Result r = decodeAll(kBody);
    EXPECT_EQ(r.payload, kPayload);
    EXPECT_TRUE(r.done);
    EXPECT_FALSE(r.failed);
}

TEST(ChunkedDecoder, DecodesTheSameWhenSplitAtEveryBytePosition)
{
    for (size_t i = 0; i <= kBody.size(); ++i)
    {
        for (size_t j = i; j <= kBody.size(); ++j)
        {
            Result r = decodePieces({kBody.substr(0, i), kBody.substr(i, j - i), kBody.substr(j)});
            ASSERT_EQ(r.payload, kPayload) << "split at " << i << "," << j;
            ASSERT_TRUE(r.done) << "split at " << i << "," << j;
        }
    }
}

TEST(ChunkedDecoder, DecodesOneByteAtATime)
{
    ChunkedDecoder decoder;
    std::string payload;
    for (char c : kBody)
    {
        char out;
        if (decoder.decode(&c, 1, &out) == 1)
            payload.push_back(out);
    }
    EXPECT_EQ(payload, kPayload);
    EXPECT_TRUE(decoder.done());
}

TEST(ChunkedDecoder, DecodesIntoASeparateBuffer)
{
    ChunkedDecoder decoder;
    std::string out(kBody.size(), '\0');
    size_t n = decoder.decode(kBody.data(), kBody.size(), out.data());
    EXPECT_EQ(out.substr(0, n), kPayload);
}

TEST(ChunkedDecoder, AcceptsExtensionsUppercaseHexAndSpaceBeforeLineEnd)
{
    Result r = decodeAll("A ;a=b\r\n0123456789\r\n4;x\r\nabcd\r\n0 \r\n\r\n");
    EXPECT_EQ(r.payload, "0123456789abcd");
    EXPECT_TRUE(r.done);
}

TEST(ChunkedDecoder, AcceptsBareLineFeeds)
{
    Result r = decodeAll("4\ndata\n2\n\r\n\n0\n\n");
    EXPECT_EQ(r.payload, "data\r\n");
    EXPECT_TRUE(r.done);
}

TEST(ChunkedDecoder, ReadsTrailersAndIgnoresBytesAfterTheEnd)
{
    Result r = decodeAll("2\r\nok\r\n0\r\nA: b\r\nC: d\r\n\r\n5\r\nextra\r\n");
    EXPECT_EQ(r.payload, "ok");
    EXPECT_TRUE(r.done);
}

TEST(ChunkedDecoder, IsDoneOnlyAfterTheLineThatEndsTheTerminalChunk)
{
    ChunkedDecoder decoder;
    std::string first = "0\r\n";
    EXPECT_EQ(decoder.decode(first.data(), first.size(), first.data()), 0u);
    EXPECT_FALSE(decoder.done());
    std::string trailer = "T: 1\r\n";
    decoder.decode(trailer.data(), trailer.size(), trailer.data());
    EXPECT_FALSE(decoder.done());
    std::string end = "\r\n";
    decoder.decode(end.data(), end.size(), end.data());
    EXPECT_TRUE(decoder.done());
    EXPECT_FALSE(decoder.failed());
}

TEST(ChunkedDecoder, ReportsWhatIsLeftOfTheCurrentChunk)
{
    ChunkedDecoder decoder;
    std::string part = "10\r\nabc";
    EXPECT_EQ(decoder.decode(part.data(), part.size(), part.data()), 3u);
    EXPECT_EQ(decoder.chunkRemaining(), 13u);
    EXPECT_FALSE(decoder.done());
    EXPECT_FALSE(decoder.failed());
}

TEST(ChunkedDecoder, RejectsMalformedFraming)
{
    EXPECT_TRUE(decodeAll("zz\r\n").failed) << "not hex";
    EXPECT_TRUE(decodeAll("\r\n").failed) << "empty size";
    EXPECT_TRUE(decodeAll(" 4\r\ndata\r\n").failed) << "leading space";
    EXPECT_TRUE(decodeAll("4x\r\ndata\r\n").failed) << "junk after size";
    EXPECT_TRUE(decodeAll("4 5\r\ndata\r\n").failed) << "two numbers";
    EXPECT_TRUE(decodeAll("4\rX").failed) << "CR without LF";
    EXPECT_TRUE(decodeAll("4\r\ndataXX").failed) << "no CRLF after data";
    EXPECT_TRUE(decodeAll("4\r\ndata\rX").failed) << "CR without LF after data";
    EXPECT_TRUE(decodeAll("0\r\n\rX").failed) << "bad final line";
    EXPECT_TRUE(decodeAll("1000000000000000\r\n").failed) << "size overflows";
}

TEST(ChunkedDecoder, KeepsPayloadDecodedBeforeAnError)
{
    Result r = decodeAll("3\r\nabc\r\nq\r\n");
    EXPECT_EQ(r.payload, "abc");
    EXPECT_TRUE(r.failed);
    EXPECT_FALSE(r.done);
}

TEST(ChunkedDecoder, DecodesNothingAfterAnError)
{
    ChunkedDecoder decoder;
    std::string bad = "g\r\n";
    decoder.decode(bad.data(), bad.size(), bad.data());
    std::string good = "3\r\nabc\r\n";
    EXPECT_EQ(decoder.decode(good.data(), good.size(), good.data()), 0u);
    EXPECT_TRUE(decoder.failed());
}
