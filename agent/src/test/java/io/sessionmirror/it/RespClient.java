package io.sessionmirror.it;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A minimal blocking RESP2 client for inspecting Redis in tests (independent of the client the agent uses, so
 * a test does not check the agent with its own code). Answers: simple string {@code String}, bulk {@code byte[]}
 * (null when absent), integer {@code Long}, array {@code List<Object>}, error {@link Error}.
 */
public final class RespClient implements AutoCloseable {

    /** An error answer ({@code -ERR ...}): returned, not thrown, so a test can assert on it. */
    public static final class Error {
        public final String message;

        Error(String message) {
            this.message = message;
        }

        @Override
        public String toString() {
            return "-" + message;
        }
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    public RespClient(String host, int port) throws IOException {
        socket = new Socket();
        try {
            socket.connect(new InetSocketAddress(host, port), 1000);
            socket.setSoTimeout(5000);
            in = new BufferedInputStream(socket.getInputStream());
            out = new BufferedOutputStream(socket.getOutputStream());
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    public Object call(String... command) throws IOException {
        byte[][] args = new byte[command.length][];
        for (int i = 0; i < command.length; i++) {
            args[i] = command[i].getBytes(StandardCharsets.UTF_8);
        }
        return call(args);
    }

    public Object call(byte[]... command) throws IOException {
        out.write(('*' + String.valueOf(command.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        for (byte[] a : command) {
            out.write(('$' + String.valueOf(a.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(a);
            out.write('\r');
            out.write('\n');
        }
        out.flush();
        return read();
    }

    /** The answer, or an {@link IOException} naming the error when it is one. */
    public static Object check(Object answer) throws IOException {
        if (answer instanceof Error) {
            throw new IOException("redis answered " + answer);
        }
        return answer;
    }

    private Object read() throws IOException {
        int type = in.read();
        if (type < 0) {
            throw new IOException("connection closed");
        }
        String line = line();
        switch (type) {
            case '+':
                return line;
            case '-':
                return new Error(line);
            case ':':
                return Long.parseLong(line);
            case '$': {
                int length = Integer.parseInt(line);
                if (length < 0) {
                    return null;
                }
                byte[] b = in.readNBytes(length);
                line(); // the CRLF after the data
                return b;
            }
            case '*': {
                int count = Integer.parseInt(line);
                if (count < 0) {
                    return null;
                }
                List<Object> items = new ArrayList<>(count);
                for (int i = 0; i < count; i++) {
                    items.add(read());
                }
                return items;
            }
            default:
                throw new IOException("not a RESP answer: " + (char) type + line);
        }
    }

    private String line() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0 && c != '\n') {
            if (c != '\r') {
                b.write(c);
            }
        }
        if (c < 0) {
            throw new IOException("connection closed");
        }
        return b.toString(StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
