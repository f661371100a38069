// Task events to containerd: forwarded over ttrpc to containerd's TTRPC_ADDRESS
// (containerd.services.events.ttrpc.v1.Events/Forward, an Envelope with the event as Any),
// or, without that address, by running `<publish-binary> --address A publish --topic T
// --namespace NS` with the Any on stdin.
#pragma once

#include <string>

#include "ttrpc_client.h"

namespace shim {

class Publisher {
public:
    Publisher(std::string ns, std::string ttrpcAddress, std::string publishBinary, std::string address)
        : ns_(std::move(ns)), ttrpcAddress_(std::move(ttrpcAddress)), binary_(std::move(publishBinary)),
          address_(std::move(address)), client_(ttrpcAddress_) {}

    // topic: "/tasks/exit"; typeName: "containerd.events.TaskExit"; event: serialized message.
    void publish(const std::string& topic, const std::string& typeName, const std::string& event);

private:
    void publishByBinary(const std::string& topic, const std::string& anyBytes);
    std::string ns_, ttrpcAddress_, binary_, address_;
    ttrpc::Client client_;
};

}  // namespace shim
