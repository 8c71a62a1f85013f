-- wrk script of scripts/bench: rotate through pre-built envelopes (a Lua data file of
-- {path, text before the auditTransactionId, text between it and the auditTransactionDate, text after}),
-- giving each request a unique transaction id (run id, thread, counter) and the current date; count
-- non-200 answers and errorRecords; print every figure as one JSON line.
-- Usage: wrk ... -s scripts/bench.lua URL -- DATA_FILE RUN_ID

local threads = {}

function setup(thread)
    table.insert(threads, thread)
    thread:set("tid", #threads)
end

function init(args)
    dofile(args[1])
    run = args[2]
    count = #requests
    math.randomseed(tid * 7919)
    counter = math.random(count)
    non200, error_records = 0, 0
    -- SOAPAction is mandatory in SOAP 1.1; "" leaves the operation to the Body (provider/soap/gateway.py)
    headers = {["Content-Type"] = "text/xml; charset=utf-8", ["SOAPAction"] = '""'}
end

function request()
    counter = counter + 1
    local r = requests[counter % count + 1]
    local id = run .. "-" .. tid .. "-" .. counter
    local body
    if r[5] then
        body = r[2] .. id .. r[3]
    else
        body = r[2] .. id .. r[3] .. os.date("!%Y-%m-%dT%H:%M:%SZ") .. r[4]
    end
    return wrk.format("POST", r[1], headers, body)
end

function response(status, _headers, body)
    if status ~= 200 then
        non200 = non200 + 1
    elseif string.find(body, "errorCode>", 1, true) then
        error_records = error_records + 1
    end
end

function done(summary, latency, _requests)
    local bad, records = 0, 0
    for _, thread in ipairs(threads) do
        bad = bad + thread:get("non200")
        records = records + thread:get("error_records")
    end
    local e = summary.errors
    io.write(string.format(
        'BENCH_JSON {"requests": %d, "duration_us": %d, "non200": %d, "error_records": %d, "connect": %d, ' ..
        '"read": %d, "write": %d, "timeout": %d, "status": %d, "p50": %d, "p95": %d, "p99": %d, "max": %d, "mean": %.1f}\n',
        summary.requests, summary.duration, bad, records, e.connect, e.read, e.write, e.timeout, e.status,
        latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max, latency.mean))
end
